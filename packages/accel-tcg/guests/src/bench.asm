; CPU-bound benchmark guest (also checked against QEMU like every guest, with a small
; iteration count given by BENCH_ITER at 0x7000 — 0 means the default of 4; a nonzero dword at
; 0x7004 runs it with EFLAGS.IF set). With paging on
; (4 KiB pages for the low 4 MiB, a 4 MiB page over the ROM), each iteration fills an array
; with an LCG (stores), sums it through a called function (loads, rotates, adds), runs a
; bubble-sort pass over part of it (compares, branches, swaps), and computes fib(16)
; recursively (calls, returns, stack traffic). Prints a checksum.
%include "lib/rom.inc"

PD      equ 0x30000
PT0     equ 0x31000
ARRAY   equ 0x100000
N       equ 2048

test_main:
        mov edi, PD
        mov ecx, 2 * 1024
        xor eax, eax
        rep stosd
        mov edi, PT0
        mov eax, 0x003
        mov ecx, 1024
.id:    stosd
        add eax, 0x1000
        loop .id
        mov dword [PD], PT0 | 0x003
        mov dword [PD + 1023 * 4], 0xffc00000 | 0x083
        mov eax, cr4
        or eax, 0x10
        mov cr4, eax
        mov eax, PD
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax

        cmp dword [0x7004], 0           ; nonzero: run with interrupts enabled (none arrive)
        je .noint
        sti
.noint: mov ebp, [0x7000]
        test ebp, ebp
        jnz .go
        mov ebp, 4
.go:    xor esi, esi                    ; running checksum
        mov ebx, 12345                  ; LCG state
.iter:  ; fill
        mov edi, ARRAY
        mov ecx, N
.fill:  imul ebx, ebx, 1103515245
        add ebx, 12345
        mov eax, ebx
        shr eax, 8
        mov [edi], eax
        add edi, 4
        dec ecx
        jnz .fill
        ; sum
        mov edx, ARRAY
        mov ecx, N
        call sum
        add esi, eax
        ; bubble pass over the first 256 elements, several times
        mov ecx, 8
.passes:
        push ecx
        mov edi, ARRAY
        mov ecx, 255
.bub:   mov eax, [edi]
        mov edx, [edi + 4]
        cmp eax, edx
        jbe .noswap
        mov [edi], edx
        mov [edi + 4], eax
.noswap:
        add edi, 4
        loop .bub
        pop ecx
        loop .passes
        add esi, [ARRAY]
        ; fib
        mov eax, 16
        call fib
        add esi, eax
        dec ebp
        jnz .iter
        mov eax, esi
        call hex32
        mov al, 10
        call putc
        mov al, 0
        ret

; sum(edx = array, ecx = count) → eax
sum:
        push ebx
        xor eax, eax
.l:     mov ebx, [edx]
        rol eax, 3
        add eax, ebx
        xor eax, ecx
        add edx, 4
        dec ecx
        jnz .l
        pop ebx
        ret

; fib(eax) → eax, recursively
fib:
        cmp eax, 2
        jb .done
        push eax
        dec eax
        call fib
        xchg eax, [esp]
        sub eax, 2
        call fib
        pop edx
        add eax, edx
.done:  ret

%include "lib/rom-end.inc"
