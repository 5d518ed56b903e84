; Bit group: BT BTS BTR BTC (register and immediate bit offsets, register and memory operands,
; including the bit-string addressing of memory operands with negative and large offsets),
; BSF and BSR in 16- and 32-bit forms.
%include "harness.inc"

; Bit offsets for the memory forms: the operand is at SCRATCH + 0x400, so offsets stay inside
; the scratch area (-8192 .. +8191 bits).
bit_offsets: dd 0, 1, 7, 8, 15, 16, 31, 32, 33, 100, 0xffffffff, 0xffffffe0, 0xffffff9c, 0x1fff
NBIT_OFFSETS equ ($ - bit_offsets) / 4

main:
%macro BTOP 1
    CASES {%str(%1), "32"}, %1_32
    CASES {%str(%1), "16"}, %1_16
    CASES {%str(%1), "32i"}, %1_32i, values, NVALUES, values, 1
    CASES {%str(%1), "16i"}, %1_16i, values, NVALUES, values, 1
    CASES {%str(%1), "32m"}, %1_32m, values, NVALUES, bit_offsets, NBIT_OFFSETS
    CASES {%str(%1), "16m"}, %1_16m, values, NVALUES, bit_offsets, NBIT_OFFSETS
    CASES {%str(%1), "32mi"}, %1_32mi, values, NVALUES, values, 1
%endmacro
    BTOP bt
    BTOP bts
    BTOP btr
    BTOP btc
    CASES "bsf32", bsf_32
    CASES "bsf16", bsf_16
    CASES "bsr32", bsr_32
    CASES "bsr16", bsr_16
    CASES "bsf32m", bsf_32m
    ret

; EAX = a is the bit base, EBX = ECX = b is the bit offset. Memory forms: the dword at
; SCRATCH + 0x400 holds a, the dwords around it hold a pattern; EDX reports the dword the
; offset selects (after the operation), EAX the dword at SCRATCH + 0x400.
%macro MEMSETUP 0
    mov dword [SCRATCH + 0x400 - 4], 0x0f0f0f0f
    mov [SCRATCH + 0x400], eax
    mov dword [SCRATCH + 0x400 + 4], 0xf0f0f0f0
    mov dword [SCRATCH + 0x400 + 12], 0x12345678
    mov dword [SCRATCH + 0x400 - 16], 0x87654321
    mov dword [SCRATCH + 0x400 + 1020], 0xaaaa5555
%endmacro
%macro MEMREPORT 0
    pushfd
    mov edx, ebx
    sar edx, 3
    and edx, ~3
    mov edx, [SCRATCH + 0x400 + edx]
    mov eax, [SCRATCH + 0x400]
    popfd
%endmacro
%macro BTCASES 1
    CASE %1_32, %1 eax, ebx
    CASE %1_16, %1 ax, bx
    CASE %1_32i, %1 eax, 37           ; immediate offsets are taken modulo the operand size
    CASE %1_16i, %1 ax, 7
    CASE_BEGIN %1_32m
    MEMSETUP
    %1 dword [SCRATCH + 0x400], ebx
    MEMREPORT
    CASE_END
    CASE_BEGIN %1_16m
    MEMSETUP
    movsx ebx, bx                     ; 16-bit bit offsets are signed 16-bit
    %1 word [SCRATCH + 0x400], bx
    MEMREPORT
    CASE_END
    CASE_BEGIN %1_32mi
    MEMSETUP
    %1 dword [SCRATCH + 0x400], 35
    mov eax, [SCRATCH + 0x400]
    CASE_END
%endmacro
    BTCASES bt
    BTCASES bts
    BTCASES btr
    BTCASES btc
    ; BSF/BSR: EAX = a is the destination (left alone by QEMU when the source is zero), EBX = b.
    CASE bsf_32, bsf eax, ebx
    CASE bsf_16, bsf ax, bx
    CASE bsr_32, bsr eax, ebx
    CASE bsr_16, bsr ax, bx
    CASE_BEGIN bsf_32m
    mov [SCRATCH], ebx
    bsf eax, [SCRATCH]
    CASE_END

%include "harness-end.inc"
