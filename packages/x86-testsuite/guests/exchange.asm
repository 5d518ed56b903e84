; Exchange group: CMPXCHG (8/16/32-bit, register and memory, LOCK), CMPXCHG8B, XADD
; (8/16/32-bit, register and memory), XCHG and BSWAP.
%include "harness.inc"

main:
    CASES "cmpxchg32", cmpxchg_32
    CASES "cmpxchg16", cmpxchg_16
    CASES "cmpxchg8", cmpxchg_8
    CASES "cmpxchg32m", cmpxchg_32m
    CASES "lock_cmpxchg8m", lock_cmpxchg_8m
    CASES "cmpxchg8b", cmpxchg8b_
    CASES "cmpxchg8b-hi", cmpxchg8b_hi
    CASES "xadd32", xadd_32
    CASES "xadd16", xadd_16
    CASES "xadd8", xadd_8
    CASES "xadd32m", xadd_32m
    CASES "lock_xadd16m", lock_xadd_16m
    CASES "xchg32", xchg_32, values, NVALUES, values, 2
    CASES "xchg8m", xchg_8m, values, NVALUES, values, 2
    CASES "bswap", bswap_, values, NVALUES, values, 1
    ret

; CMPXCHG: EAX = a (accumulator), ECX = b (destination), EDX = ~a (source); equal when a == b.
    CASE cmpxchg_32, cmpxchg ecx, edx
    CASE cmpxchg_16, cmpxchg cx, dx
    CASE cmpxchg_8, cmpxchg cl, dl
    CASE_BEGIN cmpxchg_32m
    mov [SCRATCH], ecx
    cmpxchg [SCRATCH], edx
    mov ecx, [SCRATCH]
    CASE_END
    CASE_BEGIN lock_cmpxchg_8m
    mov [SCRATCH], ecx
    lock cmpxchg [SCRATCH], dl
    mov ecx, [SCRATCH]
    CASE_END
    ; CMPXCHG8B: memory = b:a (high:low), EDX:EAX = a:a, ECX:EBX = 0x13579bdf:0x2468ace0.
    ; Equal when a == b. Reports EAX, EDX and the memory quadword in EBX (low) / ECX (high).
    CASE_BEGIN cmpxchg8b_
    mov [SCRATCH], eax
    mov [SCRATCH + 4], ebx
    mov edx, eax
    mov ecx, 0x13579bdf
    mov ebx, 0x2468ace0
    cmpxchg8b [SCRATCH]
    mov ebx, [SCRATCH]
    mov ecx, [SCRATCH + 4]
    CASE_END
    ; Only the high halves differ from the comparand when a != b.
    CASE_BEGIN cmpxchg8b_hi
    mov [SCRATCH], eax
    mov [SCRATCH + 4], ebx
    mov edx, eax
    mov ecx, 0x13579bdf
    mov ebx, 0x2468ace0
    lock cmpxchg8b [SCRATCH]
    mov ebx, [SCRATCH]
    mov ecx, [SCRATCH + 4]
    CASE_END
    ; XADD: EAX = a (destination), EBX = b (source).
    CASE xadd_32, xadd eax, ebx
    CASE xadd_16, xadd ax, bx
    CASE xadd_8, xadd al, bl
    CASE_BEGIN xadd_32m
    mov [SCRATCH], eax
    xadd [SCRATCH], ebx
    mov eax, [SCRATCH]
    CASE_END
    CASE_BEGIN lock_xadd_16m
    mov [SCRATCH], eax
    lock xadd [SCRATCH], bx
    mov eax, [SCRATCH]
    CASE_END
    CASE xchg_32, xchg eax, ebx
    CASE_BEGIN xchg_8m
    mov [SCRATCH], eax
    xchg [SCRATCH + 1], bl
    mov eax, [SCRATCH]
    CASE_END
    CASE_BEGIN bswap_
    bswap eax
    mov ebx, eax
    bswap ebx
    bswap edx
    mov ecx, edx
    bswap ecx
    CASE_END

%include "harness-end.inc"
