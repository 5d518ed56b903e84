; Loop group: LOOP LOOPE LOOPNE with ECX and (16-bit addressing) CX, JECXZ and JCXZ.
; a = threshold for LOOPE/LOOPNE's ZF (compared each iteration), b = initial count.
%include "harness.inc"

loop_counts: dd 1, 2, 3, 17, 0x10000, 0x10001, 0xabcd0000, 0x00000005
NLOOP_COUNTS equ ($ - loop_counts) / 4
loop_counts0: dd 0, 1, 0x10000, 0xffff0001
NLOOP_COUNTS0 equ ($ - loop_counts0) / 4
thresholds: dd 0, 1, 3, 0xffffffff
NTHRESHOLDS equ ($ - thresholds) / 4

main:
    CASES "loop32", loop_32, thresholds, 1, loop_counts, 5      ; no 0 / huge counts with ECX
    CASES "loop16", loop_16, thresholds, 1, loop_counts, NLOOP_COUNTS
    CASES "loope32", loope_32, thresholds, NTHRESHOLDS, loop_counts, 5
    CASES "loopne32", loopne_32, thresholds, NTHRESHOLDS, loop_counts, 5
    CASES "loope16", loope_16, thresholds, NTHRESHOLDS, loop_counts, NLOOP_COUNTS
    CASES "loopne16", loopne_16, thresholds, NTHRESHOLDS, loop_counts, NLOOP_COUNTS
    CASES "jecxz", jecxz_, thresholds, 1, loop_counts0, NLOOP_COUNTS0
    CASES "jcxz", jcxz_, thresholds, 1, loop_counts0, NLOOP_COUNTS0
    ret

; EAX counts iterations; ECX = b. LOOPE/LOOPNE: ZF = (iteration count == a) each round.
    CASE_BEGIN loop_32
    xor eax, eax
.again:
    inc eax
    loop .again
    CASE_END
    CASE_BEGIN loop_16
    xor eax, eax
.again:
    inc eax
    a16 loop .again
    CASE_END
%macro LOOPZ 2                      ; label, instruction
    CASE_BEGIN %1
    mov edx, eax                     ; threshold
    xor eax, eax
.again:
    inc eax
    cmp eax, edx                     ; ZF = reached the threshold
    %2 .again
    CASE_END
%endmacro
    LOOPZ loope_32, loope
    LOOPZ loopne_32, loopne
    LOOPZ loope_16, a16 loope
    LOOPZ loopne_16, a16 loopne
    CASE_BEGIN jecxz_
    mov eax, 1
    jecxz .zero
    mov eax, 2
.zero:
    CASE_END
    CASE_BEGIN jcxz_
    mov eax, 1
    jcxz .zero
    mov eax, 2
.zero:
    CASE_END

%include "harness-end.inc"
