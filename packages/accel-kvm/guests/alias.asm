; Alias guest: RAM offset 0 is also mapped at 1 MiB (reached from real mode as FFFF:0010).
; Writes and reads through the alias, asks the host to remove it (port 0xf5), then writes
; again (now unassigned: dropped) and reads back (all ones). Exits 0x13 (status 39).
%include "common.inc"
        bits 16
        org 0x8000
start:  cli
        xor ax, ax
        mov ds, ax
        mov ax, 0xffff
        mov es, ax
        mov byte [es:0x10], 0x5a    ; 0x100000 -> RAM[0] through the alias
        mov al, [es:0x11]           ; RAM[1] (set by the host) through the alias
        out REPORT, al
        out 0xf5, al                ; host removes the alias
        mov byte [es:0x10], 0xa5    ; unassigned now: the write is dropped
        mov al, [es:0x10]
        out REPORT, al              ; unassigned read: 0xff
        mov al, 0x13
        out DEBUG_EXIT, al
        hlt
