; Reset guest. Each boot reads a boot counter from CMOS NVRAM (which survives resets), prints
; it, and checks that the machine came back fresh: CR0.PG and CR4 clear, PIC mask 0, UART scratch
; register 0, A20 open, PIT channel 0 not counting. Then it dirties all of that (and checks that
; with A20 off, 1 MiB wraps to 0, when the command line contains 'a20') and resets:
; boot 0 through the keyboard controller (0x64 = 0xFE), boot 1 through port 0xCF9 (0x02, 0x06).
; Boot 2 waits (interrupts on, halted) when the command line starts with 'wait' — for a reset
; from the control socket — and otherwise exits. The exit value is 0x10 + the failed checks.
bits 32
org 0x200000                    ; bit 20 clear: the code keeps running while A20 is off
%include "lib.inc"
    MULTIBOOT_HEADER

COUNTER equ 0x40                    ; a free CMOS byte

entry:
    mov esp, stack_top
    mov [mb_info], ebx
    mov al, COUNTER
    out 0x70, al
    in al, 0x71
    movzx ebp, al                   ; boot number
    inc al
    mov ah, al
    mov al, COUNTER
    out 0x70, al
    mov al, ah
    out 0x71, al

    mov esi, msg_boot
    call puts
    mov eax, ebp
    call print_dec
    mov al, 10
    call putc

    ; --- is everything fresh? ---
    mov eax, cr0
    test eax, 0x80000000
    jz .pg_ok
    mov esi, msg_pg
    call fail
.pg_ok:
    mov eax, cr4
    test eax, eax
    jz .cr4_ok
    mov esi, msg_cr4
    call fail
.cr4_ok:
    in al, 0x21
    test al, al
    jz .pic_ok
    mov esi, msg_pic
    call fail
.pic_ok:
    mov dx, 0x3FF
    in al, dx
    test al, al
    jz .scr_ok
    mov esi, msg_scr
    call fail
.scr_ok:
    in al, 0x92
    test al, 2
    jnz .a20_ok
    mov esi, msg_a20
    call fail
.a20_ok:
    mov al, 0xE2                    ; read-back: status of channel 0
    out 0x43, al
    in al, 0x40
    test al, 0x40                   ; null count: no count loaded since reset
    jnz .pit_ok
    mov esi, msg_pit
    call fail
.pit_ok:
    mov esi, msg_checked
    call puts
    mov eax, [failures]
    call print_dec
    mov al, 10
    call putc

    cmp ebp, 2
    jae .last

    ; --- dirty everything, then reset ---
    mov eax, cr4
    or eax, 0x10                    ; PSE
    mov cr4, eax
    mov al, 0xFB
    out 0x21, al
    mov dx, 0x3FF
    mov al, 0x5A
    out dx, al
    mov al, 0x00
    out 0x92, al                    ; A20 off: addresses with bit 20 set wrap to bit 20 clear
    call want_a20_check
    jne .a20_done
    mov dword [0x000500], 0x11111111
    mov dword [0x100500], 0x22222222
    mov esi, msg_a20_wraps
    cmp dword [0x000500], 0x22222222
    je .a20_reported
    mov esi, msg_a20_no_wrap
.a20_reported:
    call puts
.a20_done:
    mov al, 0x34
    out 0x43, al
    mov al, 0xFF
    out 0x40, al
    out 0x40, al                    ; PIT counting (IRQ 0 stays masked at the CPU: IF=0)
    cmp ebp, 0
    jne .via_cf9
    mov esi, msg_via_kbc
    call puts
    mov al, 0xFE
    out 0x64, al
    jmp .spin
.via_cf9:
    mov esi, msg_via_cf9
    call puts
    mov dx, 0xCF9
    mov al, 0x02
    out dx, al
    mov al, 0x06
    out dx, al
.spin:
    jmp .spin

.last:
    mov ebx, [mb_info]
    mov esi, [ebx + 16]             ; command line
    cmp dword [esi], 'wait'
    jne .exit
    cmp ebp, 2
    jne .exit
    ; dirty again and wait for a reset from outside
    mov eax, cr4
    or eax, 0x10
    mov cr4, eax
    mov al, 0xFB
    out 0x21, al
    mov esi, msg_waiting
    call puts
    sti
.idle:
    hlt
    jmp .idle
.exit:
    mov eax, [failures]
    add eax, 0x10
    call debug_exit

; want_a20_check: ZF set when the command line contains 'a20'
want_a20_check:
    push esi
    mov esi, [mb_info]
    mov esi, [esi + 16]
.scan:
    cmp byte [esi], 0
    je .no
    cmp word [esi], 'a2'
    jne .next
    cmp byte [esi + 2], '0'
    je .yes
.next:
    inc esi
    jmp .scan
.no:
    or esi, esi                     ; ESI is non-zero here: ZF clear
    pop esi
    ret
.yes:
    pop esi
    cmp eax, eax                    ; ZF set
    ret

; fail: ESI = what, counts a failure
fail:
    push esi
    mov esi, msg_not_fresh
    call puts
    pop esi
    call puts
    inc dword [failures]
    ret

msg_boot:      db 'resetguest: boot ', 0
msg_not_fresh: db '  not reset: ', 0
msg_pg:        db 'CR0.PG', 10, 0
msg_cr4:       db 'CR4', 10, 0
msg_pic:       db 'PIC mask', 10, 0
msg_scr:       db 'UART scratch', 10, 0
msg_a20:       db 'A20', 10, 0
msg_pit:       db 'PIT channel 0', 10, 0
msg_checked:   db '  checks failed: ', 0
msg_via_kbc:   db '  resetting through port 0x64', 10, 0
msg_via_cf9:   db '  resetting through port 0xCF9', 10, 0
msg_a20_wraps: db '  A20 off: 0x100500 aliases 0x500', 10, 0
msg_a20_no_wrap: db '  A20 off: 0x100500 does NOT alias 0x500', 10, 0
msg_waiting:   db '  waiting for system_reset', 10, 0
end_of_data:

section .bss align=16
mb_info:   resd 1
failures:  resd 1
stack:     resb 4096
stack_top:
end_of_bss:
