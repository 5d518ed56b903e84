; tsccal: a Multiboot kernel that calibrates the TSC against PIT channel 2 the way Linux's
; pit_calibrate_tsc does: gate channel 2 on through port 0x61, count down 10 ms in mode 0 and
; spin on OUT2 (port 0x61 bit 5) reading the TSC, three times. For each round it prints
;   tsc-khz <TSC ticks per ms> loops <spin iterations> spread <longest / shortest iteration>
; Linux accepts a round with at least 5000 iterations and a spread below 10.
; Exit through the debug-exit port 0xf4 with status 1.
bits 32
section .text
align 4
multiboot_header:
    dd 0x1BADB002, 0, -0x1BADB002

PIT_LATCH equ 11932                ; 10 ms of the 1.193182 MHz PIT clock

global _start
_start:
    cli
    mov esp, stack_top
    mov ebp, 3                     ; rounds
.round:
    in al, 0x61                    ; channel 2 gate on, speaker off
    and al, 0xfc
    or al, 0x01
    out 0x61, al
    mov al, 0xb0                   ; channel 2, lobyte/hibyte, mode 0, binary
    out 0x43, al
    mov al, PIT_LATCH & 0xff
    out 0x42, al
    mov al, PIT_LATCH >> 8
    out 0x42, al                   ; counting starts: OUT2 low until terminal count
    rdtsc
    mov [start_tsc], eax
    mov [prev_tsc], eax
    xor ecx, ecx                   ; iterations
    mov dword [min_delta], 0xffffffff
    mov dword [max_delta], 0
.spin:
    in al, 0x61
    rdtsc
    mov ebx, eax
    sub ebx, [prev_tsc]
    mov [prev_tsc], eax
    cmp ebx, [min_delta]
    jae .notmin
    mov [min_delta], ebx
.notmin:
    cmp ebx, [max_delta]
    jbe .notmax
    mov [max_delta], ebx
.notmax:
    inc ecx
    in al, 0x61
    test al, 0x20
    jz .spin
    mov [loops], ecx
    mov eax, [prev_tsc]
    sub eax, [start_tsc]
    xor edx, edx
    mov ebx, 10                    ; ticks in 10 ms -> per ms
    div ebx
    mov edi, label_khz
    call puts
    call putdec
    mov edi, label_loops
    call puts
    mov eax, [loops]
    call putdec
    mov edi, label_spread
    call puts
    mov eax, [max_delta]
    xor edx, edx
    mov ebx, [min_delta]
    test ebx, ebx
    jnz .div
    inc ebx                        ; a zero-length iteration: count it as one tick
.div:
    div ebx
    call putdec
    mov edi, newline
    call puts
    dec ebp
    jnz .round
    mov eax, 0
    out 0xf4, eax                  ; status 1
    hlt

%include "com1-puts.inc"

; putdec: print EAX in decimal on COM1.
putdec:
    push eax
    push ebx
    push ecx
    push edx
    mov ebx, 10
    xor ecx, ecx
.digit:
    xor edx, edx
    div ebx
    push edx
    inc ecx
    test eax, eax
    jnz .digit
    mov dx, 0x3f8
.out:
    pop eax
    add al, '0'
    out dx, al
    loop .out
    pop edx
    pop ecx
    pop ebx
    pop eax
    ret

section .data
label_khz:    db 'tsc-khz ', 0
label_loops:  db ' loops ', 0
label_spread: db ' spread ', 0
newline:      db 10, 0

section .bss
align 4
start_tsc: resd 1
prev_tsc:  resd 1
min_delta: resd 1
max_delta: resd 1
loops:     resd 1
    resb 4096
stack_top:
