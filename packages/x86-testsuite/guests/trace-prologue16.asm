; Prologue of the real-mode randomized-test images (not a test on its own): the same records as
; trace-prologue.asm, from sequences encoded for 16-bit code and run in real mode.
;
; A 64 KiB ROM. At reset the boot stub (ROM offset 0xF000) copies ROM[0, 0xF000) to 1000:0000
; (real-mode far transfers cannot reach the ROM at 0xFFFF0000) and jumps there. The first
; SEQ_AREA bytes are the sequences (written by src/random/trace-image.ts), then this prologue.
; Data segments are all 0 (flat below 64 KiB); the IVT sends exceptions to the recorder.
;
; A step is:  <instruction> ; pushfd ; push dword (step << 16 | keep-mask) ; call dump ; popfd

CODE_SEG    equ 0x1000
SEQ_AREA    equ 0xc000
STACK_TOP   equ 0x7000
SEQ_INDEX   equ 0x8000
RESUME      equ 0x8004                  ; a 16-bit IP in CODE_SEG
RECORD      equ 0x8100
SCRATCH     equ 0xeff8

    bits 16
section code start=0 vstart=0
    times SEQ_AREA db 0xcc              ; the sequences go here

header:                                  ; read by trace-image.ts
    db "TSVMTR16"
    dd dump, finish, SEQ_INDEX, RESUME, SCRATCH, STACK_TOP

entry:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, STACK_TOP
    cld
    xor bx, bx
.vector:                                 ; IVT: vectors 0-31 -> the stubs
    mov ax, [cs:stubs + bx]
    mov di, bx
    shl di, 1
    mov [di], ax
    mov word [di + 2], CODE_SEG
    add bx, 2
    cmp bx, 64
    jb .vector
    mov word [RESUME], finish
    jmp 0                                ; the first sequence

finish:
    mov al, 0
    out 0xf4, al
.hang:
    hlt
    jmp .hang

; dump: [sp] = return IP, [sp+2] = step << 16 | keep-mask, [sp+6] = saved EFLAGS.
dump:
    pushad                               ; +0 EDI +4 ESI +8 EBP +12 ESP +16 EBX +20 EDX +24 ECX +28 EAX
    mov bp, sp
    mov eax, [bp + 38]
    and eax, 0xfff
    mov [RECORD + 40], eax               ; the raw flags
    mov eax, [bp + 34]
    mov ecx, eax
    or eax, 0xfffff000
    and [bp + 38], eax                   ; canonical flags for the POPFD after the call
    shr ecx, 16
    shl ecx, 8
    or ecx, 1
    mov [RECORD], ecx
    mov eax, [bp + 12]                   ; ESP as PUSHAD saw it: 10 bytes below the step's
    add eax, 10
    mov [RECORD + 44], eax
    mov eax, [bp + 38]
    mov [RECORD + 36], eax
    call emit_record
    popad
    ret 4

; emit_record: the rest of the record from the PUSHAD frame at [bp], then out to port 0xe9.
emit_record:
    mov eax, [SEQ_INDEX]
    mov [RECORD + 4], eax
    mov eax, [bp + 28]
    mov [RECORD + 8], eax
    mov eax, [bp + 24]
    mov [RECORD + 12], eax
    mov eax, [bp + 20]
    mov [RECORD + 16], eax
    mov eax, [bp + 16]
    mov [RECORD + 20], eax
    mov eax, [bp + 8]
    mov [RECORD + 24], eax
    mov eax, [bp + 4]
    mov [RECORD + 28], eax
    mov eax, [bp]
    mov [RECORD + 32], eax
    mov eax, [SCRATCH]
    mov [RECORD + 48], eax
    mov eax, [SCRATCH + 4]
    mov [RECORD + 52], eax
    mov eax, [SCRATCH + 8]
    mov [RECORD + 56], eax
    mov eax, [SCRATCH + 12]
    mov [RECORD + 60], eax
    mov si, RECORD
    mov cx, 64
    mov dx, 0xe9
.byte:
    mov al, [si]
    out dx, al
    inc si
    dec cx
    jnz .byte
    ret

%macro STUB 1
stub_%1:
    push word %1
    jmp exception
%endmacro
%assign v 0
%rep 32
    STUB v
%assign v v + 1
%endrep
stubs:
%assign v 0
%rep 32
    dw stub_ %+ v
%assign v v + 1
%endrep

exception:                               ; [sp] vector, [sp+2] IP, [sp+4] CS, [sp+6] FLAGS
    push ax
    xor ax, ax
    mov ds, ax                           ; a sequence may have left another DS
    pop ax
    pushad
    mov bp, sp
    movzx eax, word [bp + 32]
    shl eax, 24
    or eax, 0x00ffff02
    mov [RECORD], eax
    mov dword [RECORD + 40], 0           ; real mode pushes no error codes
    movzx eax, word [bp + 34]
    mov [RECORD + 44], eax
    movzx eax, word [bp + 38]
    and eax, 0xfff
    mov [RECORD + 36], eax
    call emit_record
    mov esp, STACK_TOP
    jmp word [RESUME]

    times 0xf000 - ($ - $$) db 0xf4
section boot start=0xf000 vstart=0xf000
boot:                                    ; CS base is 0xFFFF0000 here
    cli
    mov ax, CODE_SEG
    mov es, ax
    xor di, di
    xor si, si
    mov ecx, 0xf000 / 4
    cs rep movsd
    jmp CODE_SEG:entry
    times 0xff0 - ($ - $$) db 0xf4
    jmp boot                             ; the reset vector, F000:FFF0
    times 0x1000 - ($ - $$) db 0xf4
