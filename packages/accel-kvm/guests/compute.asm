; Computation for the save/load test: 12 rounds of sum = sum * 31 + round + IN(CHECKPOINT),
; printing a letter per round. The host stops the machine inside round 6's IN, saves, and
; resumes in another machine; the IN's value must still reach the sum. Reports the sum, exits sum & 0x7f.
%include "common.inc"
        bits 16
        org 0x8000
start:  cli
        xor ax, ax
        mov ds, ax
        xor ebx, ebx                ; sum
        xor ecx, ecx                ; round
.round: inc ecx
        imul ebx, ebx, 31
        add ebx, ecx
        in al, CHECKPOINT
        movzx eax, al
        add ebx, eax
        mov al, cl
        add al, 'a' - 1
        mov dx, COM1
        out dx, al
        cmp ecx, 12
        jb .round
        mov al, 10
        mov dx, COM1
        out dx, al
        mov eax, ebx
        out REPORT, eax
        and al, 0x7f
        out DEBUG_EXIT, al
        hlt
