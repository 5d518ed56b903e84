; Integer benchmark guest: per iteration, xorshift fill of 512 words, recursive quicksort,
; a sortedness check with a called mixing function, a sieve of Eratosthenes to 4096 and a
; bitwise CRC-32. Every iteration starts from the same seed, so it executes exactly the same
; instructions: the instruction count is a + b * ITERATIONS (counted once by count-instructions.mjs).
; No REP string instructions on purpose: peers count a REP iteration differently from a retired
; instruction, and the count must be independent of the executor.
;
; Build: nasm -f elf32 [-DPAGING] -DITERATIONS=n int.asm (see build.sh).
; Output: one line "tsvm-bench int|paging iterations=XXXXXXXX hash=XXXXXXXX ok" (hex) (or "... FAIL <why>"),
; then debug-exit value 0 (status 1) on success, 1 (status 3) on failure.
%include "common.inc"

%ifndef ITERATIONS
%define ITERATIONS 1
%endif

%define ELEMS       512
%define SIEVE_N     4096
%define PRIMES_4096 564          ; pi(4096): the guest checks its sieve against it
%define CRC_BYTES   1024
%define PHYS_DATA   0x200000     ; where the work data lives in guest-physical memory

%ifdef PAGING
%define PAGE_DIR    0x300000     ; page directory
%define PT_LOW      0x301000     ; identity map of 0..4 MiB (code, stack, page tables' own page)
%define PT_HIGH     0x302000     ; maps DATA_BASE.. to PHYS_DATA..
%define DATA_BASE   0x40000000   ; the workload sees its data at a high virtual address
%define NAME        'paging'
%else
%define DATA_BASE   PHYS_DATA
%define NAME        'int'
%endif

%define ARR         DATA_BASE            ; ELEMS dwords
%define SIEVE       (DATA_BASE + 0x1000) ; SIEVE_N bytes, its own pages

section .text
global _start
_start:
    SETUP_FLAT
%ifdef PAGING
    call setup_paging
%endif
    xor ebp, ebp                 ; running hash over all iterations
    mov dword [iters_left], ITERATIONS
iteration:
    call fill
    push ebp
    mov esi, ARR
    mov edi, ARR + (ELEMS - 1) * 4
    call qsort
    pop ebp
    call checksum                ; EBX = checksum, or jumps to fail_sort
    rol ebp, 5
    xor ebp, ebx
    call sieve                   ; EAX = prime count
    cmp eax, PRIMES_4096
    jne fail_sieve
    xor ebp, eax
    call crc32                   ; EAX = CRC
    add ebp, eax
    dec dword [iters_left]
    jnz iteration

    call print_head
    mov esi, msg_ok
    call puts
    mov al, 0
    jmp exit_with

fail_sort:
    mov esi, msg_fail_sort
    jmp fail
fail_sieve:
    mov esi, msg_fail_sieve
fail:
    push esi
    call print_head
    pop esi
    call puts
    mov al, 1
    jmp exit_with

; print_head: "tsvm-bench NAME iterations=XXXXXXXX hash=XXXXXXXX" (fixed length, so the
; instruction count of the output does not depend on the build or the result).
print_head:
    mov esi, msg_head
    call puts
    mov eax, ITERATIONS
    call puthex
    mov esi, msg_hash
    call puts
    mov eax, ebp
    call puthex
    ret

; fill: ARR[i] = successive xorshift32 values from a fixed seed.
fill:
    mov eax, 0x12345678
    mov edi, ARR
    mov ecx, ELEMS
.next:
    mov edx, eax
    shl edx, 13
    xor eax, edx
    mov edx, eax
    shr edx, 17
    xor eax, edx
    mov edx, eax
    shl edx, 5
    xor eax, edx
    mov [edi], eax
    add edi, 4
    dec ecx
    jnz .next
    ret

; qsort: sort the dwords ESI..EDI (inclusive, unsigned) in place. Lomuto partition, recursion
; on the left part, a tail jump for the right part. Clobbers EAX, EBX, ECX, EDX, EBP.
qsort:
    cmp esi, edi
    jae .done
    mov eax, [edi]               ; pivot: last element
    mov ebx, esi                 ; next slot for an element below the pivot
    mov ecx, esi
.part:
    cmp ecx, edi
    jae .place
    mov edx, [ecx]
    cmp edx, eax
    jae .skip
    mov ebp, [ebx]
    mov [ebx], edx
    mov [ecx], ebp
    add ebx, 4
.skip:
    add ecx, 4
    jmp .part
.place:
    mov edx, [ebx]
    mov [ebx], eax
    mov [edi], edx
    push edi
    push ebx
    lea edi, [ebx - 4]
    call qsort
    pop ebx
    pop edi
    lea esi, [ebx + 4]
    jmp qsort
.done:
    ret

; checksum: verify ARR is sorted and fold it through mix(); EBX = result.
checksum:
    mov esi, ARR
    mov ecx, ELEMS - 1
    xor ebx, ebx
.next:
    mov eax, [esi]
    cmp eax, [esi + 4]
    ja fail_sort
    call mix
    add esi, 4
    dec ecx
    jnz .next
    ret

; mix: EBX = EBX * 31 + (EAX ^ (EAX >> 7)). Clobbers EDX.
mix:
    imul ebx, ebx, 31
    mov edx, eax
    shr edx, 7
    xor edx, eax
    add ebx, edx
    ret

; sieve: count primes below SIEVE_N with a byte sieve; EAX = count.
sieve:
    mov edi, SIEVE
    mov ecx, SIEVE_N / 4
    xor eax, eax
.clear:
    mov [edi], eax
    add edi, 4
    dec ecx
    jnz .clear
    mov ecx, 2                   ; candidate i
.outer:
    mov eax, ecx
    mul ecx                      ; EAX = i * i (EDX clobbered)
    cmp eax, SIEVE_N
    jae .count
    cmp byte [SIEVE + ecx], 0
    jne .next_i
.mark:
    mov byte [SIEVE + eax], 1
    add eax, ecx
    cmp eax, SIEVE_N
    jb .mark
.next_i:
    inc ecx
    jmp .outer
.count:
    xor eax, eax
    mov ecx, 2
.count_next:
    cmp byte [SIEVE + ecx], 0
    jne .composite
    inc eax
.composite:
    inc ecx
    cmp ecx, SIEVE_N
    jb .count_next
    ret

; crc32: bitwise CRC-32 (reflected, polynomial 0xEDB88320) of the first CRC_BYTES of ARR.
crc32:
    mov esi, ARR
    mov ecx, CRC_BYTES
    mov eax, 0xffffffff
.byte:
    movzx edx, byte [esi]
    xor eax, edx
    mov edx, 8
.bit:
    shr eax, 1
    jnc .nopoly
    xor eax, 0xedb88320
.nopoly:
    dec edx
    jnz .bit
    inc esi
    dec ecx
    jnz .byte
    not eax
    ret

%ifdef PAGING
; setup_paging: identity-map 0..4 MiB and map DATA_BASE..+4 MiB onto PHYS_DATA.. with 4 KiB
; pages, then turn paging on. Every access of the workload goes through the TLB.
setup_paging:
    mov edi, PAGE_DIR
    mov ecx, 1024
    xor eax, eax
.clear_pd:
    mov [edi], eax
    add edi, 4
    dec ecx
    jnz .clear_pd
    mov dword [PAGE_DIR], PT_LOW | 3
    mov dword [PAGE_DIR + (DATA_BASE >> 22) * 4], PT_HIGH | 3
    mov edi, PT_LOW
    mov eax, 3                   ; present | writable, physical 0
    mov ecx, 1024
.low:
    mov [edi], eax
    add eax, 0x1000
    add edi, 4
    dec ecx
    jnz .low
    mov edi, PT_HIGH
    mov eax, PHYS_DATA | 3
    mov ecx, 1024
.high:
    mov [edi], eax
    add eax, 0x1000
    add edi, 4
    dec ecx
    jnz .high
    mov eax, PAGE_DIR
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    jmp .paged                   ; serialize after enabling paging
.paged:
    ret
%endif

section .rodata
msg_head:       db 'tsvm-bench ', NAME, ' iterations=', 0
msg_hash:       db ' hash=', 0
msg_ok:         db ' ok', 10, 0
msg_fail_sort:  db ' FAIL sort', 10, 0
msg_fail_sieve: db ' FAIL sieve', 10, 0

section .bss
iters_left: resd 1
