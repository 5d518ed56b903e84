; tsvm demo guest: a Multiboot (a.out kludge) kernel in 32-bit protected mode.
; It shows what the board and the loader give a guest: the Multiboot information (memory
; map, command line), fw_cfg, the CMOS clock, the PIT's rate through the 8259, and some
; integer arithmetic (a Mandelbrot set; the command line "mandelbrot=N" draws it N times, a
; steady load for measuring speed). It ends with CLI; HLT (tsvm exits 0).
; Build: ./build.sh (nasm -f bin).

bits 32
org 0x100000

MB_MAGIC    equ 0x1BADB002
MB_FLAGS    equ 0x00010003          ; page-align modules, memory info, a.out kludge
COM1        equ 0x3F8
TICKS_WANTED equ 100                ; one second at 100 Hz

start_of_image:
multiboot_header:
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)
    dd multiboot_header             ; header_addr
    dd start_of_image               ; load_addr
    dd end_of_data                  ; load_end_addr
    dd end_of_bss                   ; bss_end_addr
    dd entry                        ; entry_addr

entry:
    mov esp, stack_top
    mov [mb_info], ebx
    mov [mb_magic], eax
    lgdt [gdt_descriptor]
    jmp 0x08:.reload_cs
.reload_cs:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov fs, ax
    mov gs, ax

    call serial_init
    mov esi, msg_banner
    call puts

    ; --- what the boot loader told us -------------------------------------------------
    cmp dword [mb_magic], 0x2BADB002
    je .magic_ok
    mov esi, msg_bad_magic
    call puts
    jmp finish
.magic_ok:
    mov ebx, [mb_info]
    mov esi, msg_loader
    call puts
    test dword [ebx], 1 << 9
    jz .no_name
    mov esi, [ebx + 64]
    call puts
.no_name:
    call newline

    mov esi, msg_cmdline
    call puts
    test dword [ebx], 1 << 2
    jz .no_cmdline
    mov esi, [ebx + 16]
    call puts
    call parse_mandelbrot_count
.no_cmdline:
    mov al, "'"
    call putc
    call newline

    mov esi, msg_memory
    call puts
    mov eax, [ebx + 4]
    call print_dec
    mov esi, msg_kib_low
    call puts
    mov eax, [ebx + 8]
    call print_dec
    mov esi, msg_kib_high
    call puts

    ; memory map: entries of (size, base64, length64, type)
    mov esi, msg_mmap
    call puts
    mov edi, [ebx + 48]             ; mmap_addr
    mov ecx, [ebx + 44]             ; mmap_length
    add ecx, edi
.mmap_loop:
    cmp edi, ecx
    jae .mmap_done
    push ecx
    mov esi, msg_indent
    call puts
    mov eax, [edi + 4]
    call print_hex
    mov al, '-'
    call putc
    mov eax, [edi + 4]
    add eax, [edi + 12]
    dec eax
    call print_hex
    mov esi, msg_usable
    cmp dword [edi + 20], 1
    je .type_known
    mov esi, msg_reserved
.type_known:
    call puts
    pop ecx
    add edi, [edi]
    add edi, 4
    jmp .mmap_loop
.mmap_done:

    ; --- fw_cfg: signature and CPU count ---------------------------------------------------
    mov esi, msg_fwcfg
    call puts
    mov dx, 0x510
    xor ax, ax                      ; FW_CFG_SIGNATURE
    out dx, ax
    mov dx, 0x511
    mov ecx, 4
.sig:
    in al, dx
    call putc
    loop .sig
    mov dx, 0x510
    mov ax, 5                       ; FW_CFG_NB_CPUS
    out dx, ax
    mov dx, 0x511
    in al, dx
    movzx eax, al
    push eax
    mov esi, msg_cpus
    call puts
    pop eax
    call print_dec
    call newline

    ; --- CMOS clock --------------------------------------------------------------------------
    call print_rtc

    ; --- the PIT at 100 Hz, counted through the 8259's poll command ------------------------
    ; Interrupts stay disabled: the guest asks the PIC (OCW3 poll) whether IRQ 0 fired. This
    ; avoids IRET, which software KVM (kvm_pvm) cannot emulate in unpaged protected mode.
    call setup_pic
    mov al, 0x34                    ; channel 0, lo/hi, mode 2
    out 0x43, al
    mov ax, 11932                   ; 1193182 / 100
    out 0x40, al
    mov al, ah
    out 0x40, al
    mov esi, msg_pit
    call puts
    xor ebx, ebx                    ; ticks
.poll:
    mov al, 0x0C                    ; OCW3: poll
    out 0x20, al
    in al, 0x20
    test al, 0x80                   ; an interrupt was pending; it is now in service
    jz .poll
    mov al, 0x20
    out 0x20, al                    ; EOI
    inc ebx
    mov eax, ebx
    xor edx, edx
    mov ecx, 5
    div ecx
    test edx, edx                   ; one '#' per 5 ticks
    jnz .not_yet
    mov al, '#'
    call putc
.not_yet:
    cmp ebx, TICKS_WANTED
    jb .poll
    mov al, 0x30                    ; stop channel 0 (mode 0, no count)
    out 0x43, al
    mov esi, msg_pit_done
    call puts

    ; --- a Mandelbrot set in 4.12 fixed point (N times with "mandelbrot=N": a steady load) ---
    mov ecx, [mandelbrot_count]
.draw:
    call mandelbrot
    loop .draw

finish:
    mov esi, msg_bye
    call puts
    cli
.halt:
    hlt
    jmp .halt

; ---------------------------------------------------------------------------------------------
; Serial output (COM1, polled).
serial_init:
    mov dx, COM1 + 1
    xor al, al
    out dx, al                      ; no UART interrupts
    mov dx, COM1 + 3
    mov al, 0x80
    out dx, al                      ; DLAB
    mov dx, COM1
    mov al, 1
    out dx, al                      ; 115200 baud
    mov dx, COM1 + 1
    xor al, al
    out dx, al
    mov dx, COM1 + 3
    mov al, 0x03
    out dx, al                      ; 8N1
    mov dx, COM1 + 2
    mov al, 0xC7
    out dx, al                      ; FIFO on, cleared
    ret

; putc: AL = character
putc:
    push edx
    push eax
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    pop eax
    mov dx, COM1
    out dx, al
    pop edx
    ret

; puts: ESI = NUL-terminated string
puts:
    push eax
    push esi
.next:
    lodsb
    test al, al
    jz .done
    call putc
    jmp .next
.done:
    pop esi
    pop eax
    ret

newline:
    push esi
    mov esi, msg_crlf
    call puts
    pop esi
    ret

; print_dec: EAX unsigned
print_dec:
    pushad
    mov ecx, 10
    xor ebx, ebx
.div:
    xor edx, edx
    div ecx
    push edx
    inc ebx
    test eax, eax
    jnz .div
.out:
    pop eax
    add al, '0'
    call putc
    dec ebx
    jnz .out
    popad
    ret

; print_hex: EAX as 0x%08x
print_hex:
    pushad
    mov edx, eax
    mov al, '0'
    call putc
    mov al, 'x'
    call putc
    mov ecx, 8
.digit:
    rol edx, 4
    mov eax, edx
    and eax, 0xF
    mov al, [hex_digits + eax]
    call putc
    loop .digit
    popad
    ret

; print_bcd: AL = BCD byte, printed as two digits
print_bcd:
    push eax
    push eax
    shr al, 4
    add al, '0'
    call putc
    pop eax
    and al, 0x0F
    add al, '0'
    call putc
    pop eax
    ret

; cmos_read: AL = index → AL = value
cmos_read:
    out 0x70, al
    in al, 0x71
    ret

print_rtc:
    mov esi, msg_rtc
    call puts
.uip:
    mov al, 0x0A
    call cmos_read
    test al, 0x80                   ; update in progress: wait for a stable reading
    jnz .uip
    mov al, 0x32
    call cmos_read
    call print_bcd
    mov al, 0x09
    call cmos_read
    call print_bcd
    mov al, '-'
    call putc
    mov al, 0x08
    call cmos_read
    call print_bcd
    mov al, '-'
    call putc
    mov al, 0x07
    call cmos_read
    call print_bcd
    mov al, ' '
    call putc
    mov al, 0x04
    call cmos_read
    call print_bcd
    mov al, ':'
    call putc
    mov al, 0x02
    call cmos_read
    call print_bcd
    mov al, ':'
    call putc
    mov al, 0x00
    call cmos_read
    call print_bcd
    mov esi, msg_utc
    call puts
    ret

; ---------------------------------------------------------------------------------------------
; parse_mandelbrot_count: ESI = command line. "mandelbrot=N" at its start sets mandelbrot_count.
parse_mandelbrot_count:
    pushad
    mov edi, key_mandelbrot
.key:
    mov al, [edi]
    test al, al
    jz .number
    cmp al, [esi]
    jne .done
    inc esi
    inc edi
    jmp .key
.number:
    xor eax, eax
.digit:
    movzx ecx, byte [esi]
    sub ecx, '0'
    cmp ecx, 9                      ; unsigned: anything but a digit ends the number
    ja .store
    imul eax, 10
    add eax, ecx
    inc esi
    jmp .digit
.store:
    test eax, eax
    jz .done
    mov [mandelbrot_count], eax
.done:
    popad
    ret

; ---------------------------------------------------------------------------------------------
; The 8259 pair: vectors 0x20/0x28, only IRQ 0 unmasked.
setup_pic:
    mov al, 0x11
    out 0x20, al
    out 0xA0, al
    mov al, 0x20
    out 0x21, al
    mov al, 0x28
    out 0xA1, al
    mov al, 0x04
    out 0x21, al
    mov al, 0x02
    out 0xA1, al
    mov al, 0x01
    out 0x21, al
    out 0xA1, al
    mov al, 0xFE                    ; only IRQ 0
    out 0x21, al
    mov al, 0xFF
    out 0xA1, al
    ret

; ---------------------------------------------------------------------------------------------
; Mandelbrot set, 64 x 22 characters, 4.12 fixed point, at most 32 iterations.
COLS    equ 64
ROWS    equ 22
FRAC    equ 12
MAXIT   equ 32

mandelbrot:
    pushad
    xor ebp, ebp                    ; row
.row:
    ; ci = -1.25 + row * 2.5 / ROWS
    mov eax, ebp
    imul eax, (5 << FRAC) / 2 / ROWS
    sub eax, (5 << FRAC) / 4
    mov [ci], eax
    xor edi, edi                    ; column
.col:
    ; cr = -2.25 + col * 3.0 / COLS
    mov eax, edi
    imul eax, (3 << FRAC) / COLS
    sub eax, (9 << FRAC) / 4
    mov [cr], eax
    xor esi, esi                    ; x
    xor ebx, ebx                    ; y
    xor ecx, ecx                    ; iteration
.iter:
    mov eax, esi
    imul eax, esi
    sar eax, FRAC                   ; x*x
    mov edx, ebx
    imul edx, ebx
    sar edx, FRAC                   ; y*y
    push eax
    add eax, edx
    cmp eax, 4 << FRAC
    pop eax
    jg .escaped
    sub eax, edx
    add eax, [cr]                   ; x' = x*x - y*y + cr
    imul ebx, esi
    sar ebx, FRAC - 1               ; 2*x*y
    add ebx, [ci]                   ; y' = 2xy + ci
    mov esi, eax
    inc ecx
    cmp ecx, MAXIT
    jb .iter
.escaped:
    shr ecx, 2                      ; 0..8: how long the point resisted
    mov al, [shades + ecx]
    call putc
    inc edi
    cmp edi, COLS
    jb .col
    call newline
    inc ebp
    cmp ebp, ROWS
    jb .row
    popad
    ret

; ---------------------------------------------------------------------------------------------
align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF           ; 0x08: flat 32-bit code
    dq 0x00CF92000000FFFF           ; 0x10: flat 32-bit data
gdt_descriptor:
    dw gdt_descriptor - gdt - 1
    dd gdt

hex_digits:    db '0123456789abcdef'
shades:        db ' .:-=+*%#'           ; by iterations / 4; '#' is inside the set
msg_banner:    db 13, 10, 'tsvm demo guest: 32-bit protected mode, booted by Multiboot', 13, 10, 0
msg_bad_magic: db '  bad Multiboot magic in EAX', 13, 10, 0
msg_loader:    db '  boot loader:  ', 0
msg_cmdline:   db "  command line: '", 0
msg_memory:    db '  memory:       ', 0
msg_kib_low:   db ' KiB low, ', 0
msg_kib_high:  db ' KiB from 1 MiB', 13, 10, 0
msg_mmap:      db '  memory map:', 13, 10, 0
msg_indent:    db '    ', 0
msg_usable:    db '  usable', 13, 10, 0
msg_reserved:  db '  reserved', 13, 10, 0
msg_fwcfg:     db '  fw_cfg:       signature ', 0
msg_cpus:      db ', CPUs: ', 0
msg_rtc:       db '  CMOS clock:   ', 0
msg_utc:       db ' UTC', 13, 10, 0
msg_pit:       db '  PIT IRQ 0 at 100 Hz for one second (8259 poll mode): [', 0
msg_pit_done:  db ']', 13, 10, 13, 10, 0
msg_bye:       db 13, 10, 'Done: the guest halts with interrupts off; tsvm exits.', 13, 10, 0
msg_crlf:      db 13, 10, 0
key_mandelbrot: db 'mandelbrot=', 0
align 4
mandelbrot_count: dd 1

end_of_data:

section .bss align=4096
mb_info:        resd 1
mb_magic:       resd 1
cr:             resd 1
ci:             resd 1
alignb 16
stack:          resb 16384
stack_top:
end_of_bss:
