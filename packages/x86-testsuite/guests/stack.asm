; Stack group: PUSH/POP (registers, immediates, memory, segment registers, 16-bit operand size),
; PUSHAD/POPAD, PUSHFD/POPFD, PUSHA/POPA (16-bit), ENTER with nesting levels 0, 1, 2 and 5,
; LEAVE, CALL/RET and RET imm16. ESP deltas and stack contents are reported.
%include "harness.inc"

FRAME equ SCRATCH + 0x2000          ; a fake outer frame (EBP chain) for ENTER's nesting copies
stack_values: dd 0x00000000, 0x80000001, 0x7fff8000, 0xffffffff
NSTACK_VALUES equ ($ - stack_values) / 4

main:
    CASES "push_pop32", push_pop_32, stack_values, NSTACK_VALUES, stack_values, 2
    CASES "push_pop16", push_pop_16, stack_values, NSTACK_VALUES, stack_values, 2
    CASES "push_imm", push_imm, stack_values, NSTACK_VALUES, stack_values, 1
    CASES "push_pop_mem", push_pop_mem, stack_values, NSTACK_VALUES, stack_values, 2
    CASES "push_pop_seg", push_pop_seg, stack_values, NSTACK_VALUES, stack_values, 1
    CASES "pushad_popad", pushad_popad, stack_values, NSTACK_VALUES, stack_values, 2
    CASES "pusha_popa16", pusha_popa_16, stack_values, NSTACK_VALUES, stack_values, 2
    CASES "pushfd_popfd", pushfd_popfd, stack_values, NSTACK_VALUES, stack_values, 2
    CASES "enter0", enter_0, stack_values, NSTACK_VALUES, stack_values, 2
    CASES "enter1", enter_1, stack_values, NSTACK_VALUES, stack_values, 2
    CASES "enter2", enter_2, stack_values, NSTACK_VALUES, stack_values, 2
    CASES "enter5", enter_5, stack_values, NSTACK_VALUES, stack_values, 2
    CASES "enter16", enter_16, stack_values, NSTACK_VALUES, stack_values, 2
    CASES "call_ret", call_ret, stack_values, NSTACK_VALUES, stack_values, 2
    ret

; Every case starts with ESP saved in EDI (EDI = a on entry is not needed) and ends with
; ESP restored from it, so the driver's stack is intact whatever the instruction did.
%macro STACK_BEGIN 1
    CASE_BEGIN %1
    mov edi, esp
%endmacro
%macro STACK_END 0
    mov esp, edi
    CASE_END
%endmacro

    STACK_BEGIN push_pop_32
    push eax
    push ebx
    pop ecx                          ; ECX = b
    mov edx, edi
    sub edx, esp                     ; EDX = 4
    pop ebx                          ; EBX = a
    STACK_END
    STACK_BEGIN push_pop_16
    push ax
    push bx
    mov edx, edi
    sub edx, esp                     ; EDX = 4 (two 2-byte pushes)
    mov ecx, [esp]                   ; ECX = a:b as packed words
    pop cx
    pop bx
    STACK_END
    STACK_BEGIN push_imm
    push dword 0x12345678
    push byte -5                     ; sign-extended to 32 bits
    push word 0x4321
    mov edx, edi
    sub edx, esp                     ; EDX = 10
    mov ebx, [esp + 2]
    movzx ecx, word [esp]
    STACK_END
    STACK_BEGIN push_pop_mem
    mov [SCRATCH], eax
    mov [SCRATCH + 4], ebx
    push dword [SCRATCH]
    pop dword [SCRATCH + 4]
    push word [SCRATCH + 2]
    pop word [SCRATCH + 8]
    mov eax, [SCRATCH + 4]
    mov ebx, [SCRATCH + 8]
    mov edx, edi
    sub edx, esp
    STACK_END
    STACK_BEGIN push_pop_seg
    push ds
    push word fs                     ; 16-bit push of a segment register: 2 bytes
    pop word gs
    mov edx, edi
    sub edx, esp                     ; EDX = 4
    movzx ecx, word [esp]            ; the low word of the 32-bit push is the selector
    pop es
    mov bx, gs
    STACK_END
    STACK_BEGIN pushad_popad
    mov esi, 0x5151a0a0
    mov ebp, 0x6262b0b0
    pushad
    mov ecx, [esp + 12]              ; the ESP value pushed: before PUSHAD
    sub ecx, edi
    mov edx, [esp + 28]              ; EAX slot
    mov dword [esp + 12], 0          ; POPAD skips the ESP slot
    mov dword [esp + 16], 0x77777777 ; EBX slot
    xor eax, eax
    popad
    mov eax, esi
    xor eax, ebp
    STACK_END
    STACK_BEGIN pusha_popa_16
    pushaw
    mov edx, edi
    sub edx, esp                     ; EDX = 16
    mov word [esp + 6], 0x1111       ; SP slot, skipped by POPA
    mov word [esp + 8], 0x3333       ; BX slot
    mov word [esp + 14], 0x2222      ; AX slot
    popaw
    STACK_END
    STACK_BEGIN pushfd_popfd
    pushfd
    mov ecx, [esp]
    and ecx, 0xfff                   ; flags-in as pushed
    or dword [esp], F_CF | F_OF
    popfd                            ; the flags reported at the end are the ones popped
    mov edx, edi
    sub edx, esp
    STACK_END
    ; ENTER: EBP = FRAME with a chain of outer frame pointers below it.
%macro ENTERCASE 3                    ; label, size, level
    STACK_BEGIN %1
    mov dword [FRAME - 4], 0xf0000004
    mov dword [FRAME - 8], 0xf0000008
    mov dword [FRAME - 12], 0xf000000c
    mov dword [FRAME - 16], 0xf0000010
    mov dword [FRAME - 20], 0xf0000014
    mov ebp, FRAME
    enter %2, %3
    mov eax, edi
    sub eax, esp                     ; bytes ENTER reserved, frame pointers included
    mov ebx, edi
    sub ebx, ebp                     ; where the new EBP sits
    mov ecx, [ebp]                   ; the saved old EBP (FRAME)
    mov edx, [esp + %2]              ; the last pointer ENTER pushed (new EBP for level >= 1)
    %if %3 >= 3
    xor edx, [ebp - 8]               ; a copied outer frame pointer
    %endif
    leave
    sub ebp, FRAME                   ; LEAVE restored EBP = FRAME
    or ecx, ebp
    mov ebp, edi
    sub ebp, esp                     ; 0 after LEAVE pops the saved EBP... relative to ESP
    add edx, ebp
    STACK_END
%endmacro
    ENTERCASE enter_0, 12, 0
    ENTERCASE enter_1, 8, 1
    ENTERCASE enter_2, 0, 2
    ENTERCASE enter_5, 4, 5
    ENTERCASE enter_16, 0x100, 16
    STACK_BEGIN call_ret
    call .callee
    jmp .after
.callee:
    mov ecx, [esp]
    sub ecx, .callee                 ; return address relative to the callee: CALL's length
    mov edx, edi
    sub edx, esp
    ret 8                            ; pops the return address and 8 more bytes
.after:
    mov ebx, edi
    sub ebx, esp                     ; -8: ESP ended 8 bytes above where it started
    STACK_END

%include "harness-end.inc"
