; RDTSC loop: runs until the TSC has advanced by the host-supplied tick count (ports PARAM_LO/HI,
; re-read every 256 iterations so the host can end the run when it has seen enough), exits 1
; (status 3) if the TSC ever goes backwards, else reports start and end TSC and exits 0.
%include "common.inc"
        bits 16
        org 0x8000
start:  cli
        xor ax, ax
        mov ds, ax
        in eax, PARAM_LO
        mov [target], eax
        in eax, PARAM_HI
        mov [target + 4], eax
        rdtsc
        mov [first], eax
        mov [first + 4], edx
        mov [prev], eax
        mov [prev + 4], edx
        out REPORT, eax
        mov eax, edx
        out REPORT, eax
.load:  in eax, PARAM_LO
        mov [target], eax
        in eax, PARAM_HI
        mov [target + 4], eax
        mov si, 256
.loop:  dec si
        jz .load
        rdtsc
        cmp edx, [prev + 4]
        jb .back
        ja .fwd
        cmp eax, [prev]
        jb .back
.fwd:   mov [prev], eax
        mov [prev + 4], edx
        sub eax, [first]
        sbb edx, [first + 4]
        cmp edx, [target + 4]
        jb .loop
        ja .done
        cmp eax, [target]
        jb .loop
.done:  mov eax, [prev]
        out REPORT, eax
        mov eax, [prev + 4]
        out REPORT, eax
        mov al, 0
        out DEBUG_EXIT, al          ; status 1
        hlt
.back:  mov al, 1
        out DEBUG_EXIT, al          ; status 3: the clock went backwards
        hlt
        align 4
target: dd 0, 0
first:  dd 0, 0
prev:   dd 0, 0
