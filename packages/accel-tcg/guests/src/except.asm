; Exceptions in 32-bit protected mode: #DE, #UD (several encodings), #BP and #OF (traps),
; #NP, #GP on selectors, types and null SS, and a double
; fault (#DE whose gate is not present → #NP during delivery → #DF). Segment limit checks are in
; seglimit.asm (QEMU does not check data-segment limits, so that guest's reference is the SDM). The handler prints
; "EXC vector error-code eip" and resumes at the RESUME_AT label.
%include "lib/rom.inc"

%macro EXTRA_GDT 0
        dq 0x00409302000000ff | ((SCRATCH & 0xffff) << 16) ; 0x28 data, base SCRATCH, limit 0xff
        dq 0x00cf13000000ffff       ; 0x30 data, not present
        dq 0x0040970000001000       ; 0x38 data, expand-down, limit 0x1000, B=1
        dq 0x00cf99000000ffff       ; 0x40 code, execute-only
        dq 0x00cf91000000ffff       ; 0x48 data, read-only
        dq 0x00cf1b000000ffff       ; 0x50 code32, not present
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
        FAULT_BEGIN
        xor ecx, ecx
        div ecx
        FAULT_END
        FAULT_BEGIN
        ud2
        FAULT_END
        FAULT_BEGIN            ; LOCK NOP
        db 0xf0, 0x90
        FAULT_END
        FAULT_BEGIN            ; LEA with a register operand
        db 0x8d, 0xc3
        FAULT_END
        FAULT_BEGIN            ; MOV CS, AX
        db 0x8e, 0xc8
        FAULT_END
        FAULT_BEGIN            ; UD0
        db 0x0f, 0xff
        FAULT_END
        FAULT_BEGIN      ; LOCK ADD EAX, EAX (register destination)
        db 0xf0, 0x01, 0xc0
        FAULT_END
        FAULT_BEGIN
        int3
        FAULT_END
        FAULT_BEGIN
        mov eax, 0x7fffffff
        add eax, 1
        into
        FAULT_END
        FAULT_BEGIN         ; #NP(0x30)
        mov ax, 0x30
        mov ds, ax
        FAULT_END
        FAULT_BEGIN   ; last byte: fine
        mov ax, 0x28
        mov ds, ax
        mov al, [0xff]
        FAULT_END
        FAULT_BEGIN         ; #GP(0x40): execute-only code
        mov ax, 0x40
        mov ds, ax
        FAULT_END
        FAULT_BEGIN         ; #GP(0): null SS
        xor eax, eax
        mov ss, ax
        FAULT_END
        FAULT_BEGIN       ; #GP(0x1230): beyond the GDT limit
        mov ax, 0x1234
        mov es, ax
        FAULT_END
        FAULT_BEGIN         ; #GP(0x08): code segment, RPL 3
        mov ax, 0x0b
        mov ds, ax
        FAULT_END
        FAULT_BEGIN ; fine
        mov ax, 0x38
        mov ss, ax
        mov ebp, 0x2000
        mov eax, [ebp]
        FAULT_END
        FAULT_BEGIN                          ; #GP(0x202): beyond the IDT limit
        int 0x40
        FAULT_END
        FAULT_BEGIN                 ; #SS(0x30): stack segment not present
        mov ax, 0x30
        mov ss, ax
        FAULT_END
        FAULT_BEGIN                 ; #GP(0x10): SS selector RPL 3 at CPL 0
        mov ax, 0x13
        mov ss, ax
        FAULT_END
        FAULT_BEGIN                 ; #GP(0x48): read-only data as SS
        mov ax, 0x48
        mov ss, ax
        FAULT_END
        FAULT_BEGIN                 ; #NP(0x50): far call to a not-present code segment
        call 0x50:0
        FAULT_END
        FAULT_BEGIN                 ; #GP(0x10): far jump to a data segment
        jmp 0x10:0
        FAULT_END
        ; double fault: #DE's gate not present
        and byte [IDT_BASE + 0 * 8 + 5], 0x7f
        FAULT_BEGIN
        xor ecx, ecx
        div ecx
        FAULT_END
        or byte [IDT_BASE + 0 * 8 + 5], 0x80
        ; benign first event: INT3's gate not present gives #NP(0x1a)
        and byte [IDT_BASE + 3 * 8 + 5], 0x7f
        FAULT_BEGIN
        int3
        FAULT_END
        or byte [IDT_BASE + 3 * 8 + 5], 0x80
        ; software INT to a DPL 0 gate from CPL 0 is fine: vector 6 runs the #UD stub
        FAULT_BEGIN
        int 6
        FAULT_END
        mov al, 0
        ret

%include "lib/rom-end.inc"
