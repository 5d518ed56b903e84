; Segment limit and type checks on data accesses (SDM Vol. 3 §5.3, §5.5): a dword read past a
; byte-granular limit (#GP(0)), the last byte inside it (fine), a write to a read-only segment
; (#GP(0)), an expand-down stack segment below its limit (#SS(0)) and above it (fine), and a dword
; that crosses the 4 GiB limit of a flat segment (#GP(0)).
;
; REFERENCE: sdm — QEMU's TCG does not check data-segment limits or writability, so the expected
; output (guests/expected/seglimit.txt) was checked line by line against the SDM instead of being
; produced by make-fixtures.sh. Each EXC line names the vector, error code and faulting EIP.
%include "lib/rom.inc"

%macro EXTRA_GDT 0
        dq 0x00409302000000ff | ((SCRATCH & 0xffff) << 16) ; 0x28 data, base SCRATCH, limit 0xff
        dq 0x00cf13000000ffff       ; 0x30 data, not present
        dq 0x0040970000001000       ; 0x38 data, expand-down, limit 0x1000, B=1
        dq 0x00cf99000000ffff       ; 0x40 code, execute-only
        dq 0x00cf91000000ffff       ; 0x48 data, read-only
%endmacro

; FAULT_BEGIN ... FAULT_END: the instructions between may fault; either way execution
; continues after FAULT_END's label with flat segments reloaded, and the registers are dumped.
%macro FAULT_BEGIN 0
%push fault
        RESUME_AT %$resume
%endmacro
%macro FAULT_END 0
%$resume:
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov ss, ax
        DUMP
%pop
%endmacro

test_main:
        call install_idt
        mov ebx, 0x1111
        FAULT_BEGIN  ; #GP(0): beyond the limit
        mov ax, 0x28
        mov ds, ax
        mov eax, [0xfe]
        FAULT_END
        FAULT_BEGIN  ; last byte inside the limit: fine
        mov ax, 0x28
        mov ds, ax
        mov al, [0xff]
        FAULT_END
        FAULT_BEGIN  ; #GP(0): read-only
        mov ax, 0x48
        mov ds, ax
        mov byte [0], 1
        FAULT_END
        FAULT_BEGIN  ; #SS(0): expand-down
        mov ax, 0x38
        mov ss, ax
        mov ebp, 0x800
        mov eax, [ebp]
        FAULT_END
        FAULT_BEGIN  ; expand-down, above the limit: fine
        mov ax, 0x38
        mov ss, ax
        mov ebp, 0x2000
        mov eax, [ebp]
        FAULT_END
        FAULT_BEGIN             ; #GP(0): dword beyond the 4 GiB limit
        mov eax, [0xfffffffe]
        FAULT_END
        mov al, 0
        ret

%include "lib/rom-end.inc"
