; Real mode: 16-bit ALU and addressing forms (BX/BP/SI/DI with SS default for BP), 0x66/0x67
; prefixes, IVT interrupts (INT n, #DE through vector 0), far CALL/JMP/RET and IRET, LDS/LES,
; PUSH/POP of segment registers, PUSHA/POPA, ENTER/LEAVE, LOOP on CX, REP MOVSW, and "unreal"
; mode: a 4 GiB DS limit cached from protected mode survives the return to real mode.
%define REAL_MODE
%include "lib/rom.inc"

%macro EXTRA_GDT 0
        dq 0x00cf93000000ffff               ; 0x28 data, 4 GiB (for unreal mode)
%endmacro

        bits 16
real_main:
        ; IVT: vector 0x60 → int60, vector 0 → de_handler (both in segment F000)
        mov word [0x60 * 4], R(int60)
        mov word [0x60 * 4 + 2], 0xf000
        mov word [0], R(de_handler)
        mov word [2], 0xf000
        mov ax, 0x1234
        mov bx, 0x0100
        mov si, 0x0010
        mov di, 0x0020
        mov bp, 0x0200
        mov word [bx + si], 0x1111          ; DS:0110
        mov word [bx + di + 4], 0x2222      ; DS:0124
        mov word [bp + si], 0x3333          ; SS:0210 (same memory: SS = DS = 0)
        add ax, [bx + si]
        adc ax, [bx + di + 4]
        sub ax, [bp + si]
        DUMP16
        mov ecx, 0x89abcdef
        mov [0x300], ecx
        mov ebx, 0x100
        mov edx, [ebx * 2 + 0x100]          ; 0x67: 32-bit addressing in real mode
        imul eax, edx, 3
        DUMP16
        ; INT n through the IVT
        mov ax, 0x5555
        stc
        int 0x60
        DUMP16
        ; #DE through vector 0: the handler resumes at de_resume
        xor cx, cx
        mov ax, 7
        div cl
de_resume:
        DUMP16
        ; far call / far return, far jump
        call 0xf000:R(far_fn)
        DUMP16
        jmp 0xf000:R(after_far_jmp)
        hlt
after_far_jmp:
        ; far pointer in memory: call far [0x400]
        mov word [0x400], R(far_fn)
        mov word [0x402], 0xf000
        call far [0x400]
        DUMP16
        ; LDS / LES, segment pushes and pops
        mov word [0x410], 0x1234
        mov word [0x412], 0x0050
        lds si, [0x410]
        mov ax, ds
        push ds
        pop es
        mov bx, es
        xor cx, cx
        mov ds, cx
        mov es, cx
        DUMP16
        ; PUSHA/POPA, ENTER/LEAVE, LOOP
        mov ax, 1
        mov cx, 2
        mov dx, 3
        pusha
        xor ax, ax
        xor cx, cx
        popa
        DUMP16
        mov bp, 0x6000
        enter 8, 2
        DUMP16
        leave
        mov cx, 6
        xor ax, ax
.loop:  add ax, cx
        loop .loop
        DUMP16
        ; REP MOVSW within segment 0
        mov si, 0x100
        mov di, 0x500
        mov cx, 16
        cld
        rep movsw
        mov ax, [0x520 - 2]
        DUMP16
        ; unreal mode: load a 4 GiB DS in protected mode, come back, touch memory above 1 MiB
        o32 lgdt [cs:R(gdt_ptr)]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        mov bx, 0x28
        mov ds, bx
        and al, 0xfe
        mov cr0, eax
        xor bx, bx
        mov ds, bx                          ; base 0 again, limit stays 4 GiB
        mov esi, 0x200000
        mov dword [esi], 0xfeedf00d
        mov eax, [esi]
        DUMP16
        mov al, 0
        ret

int60:
        ; FLAGS on the stack has CF set from the caller; the handler runs with IF/TF clear.
        mov bp, sp
        mov dx, [bp + 4]
        mov bx, [bp + 2]
        add ax, 1
        iret

de_handler:
        mov bp, sp
        mov word [bp], R(de_resume)
        mov dx, 0xde
        iret

far_fn:
        mov dx, cs
        mov cx, 0x77
        retf

%include "lib/rom-end.inc"
