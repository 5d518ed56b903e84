; Paging: 32-bit tables with 4 KiB pages and 4 MiB (PSE) pages, then PAE with 4 KiB and 2 MiB
; pages. #PF error codes and CR2 for not-present reads and writes, supervisor writes to
; read-only pages with CR0.WP clear (allowed) and set (#PF 3), accessed/dirty bits in PDEs and
; PTEs, INVLPG and CR3 reloads picking up changed entries.
%include "lib/rom.inc"

PD      equ 0x30000
PT0     equ 0x31000         ; identity map of 0-4 MiB
PT1     equ 0x32000         ; linear 4-8 MiB, filled by the tests
PDPT    equ 0x33000
PAE_PD0 equ 0x34000
PAE_PT0 equ 0x35000
PAE_PD3 equ 0x36000

%macro PF_BEGIN 0
%push pf
        RESUME_AT %$resume
%endmacro
%macro PF_END 0
%$resume:
        DUMP
%pop
%endmacro

test_main:
        call install_idt
        ; --- 32-bit paging ---------------------------------------------------------------
        mov edi, PD
        mov ecx, 3 * 1024
        xor eax, eax
        rep stosd                       ; clear PD, PT0, PT1
        mov edi, PT0
        mov eax, 0x007                  ; P RW US
        mov ecx, 1024
.id:    stosd
        add eax, 0x1000
        loop .id
        mov dword [PD], PT0 | 0x007
        mov dword [PD + 1023 * 4], 0xffc00000 | 0x083   ; 4 MiB page over the ROM
        mov eax, cr4
        or eax, 0x10                    ; PSE
        mov cr4, eax
        mov eax, PD
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov eax, [PD]
        DUMP                            ; PDE 0 now accessed
        PF_BEGIN
        mov eax, [0x400000]             ; PDE 1 not present: #PF 0
        PF_END
        PF_BEGIN
        mov dword [0x400004], 1         ; #PF 2
        PF_END
        mov dword [PD + 1 * 4], PT1 | 0x003
        mov dword [PT1], 0x200000 | 0x003
        PF_BEGIN
        mov dword [0x400010], 0x12345678
        mov eax, [0x200010]
        mov ecx, [PT1]                  ; A and D set
        mov edx, [PD + 4]
        PF_END
        mov dword [PT1 + 4], 0x201000 | 0x003
        PF_BEGIN
        mov eax, [0x401020]             ; read only: A set, D clear
        mov ecx, [PT1 + 4]
        PF_END
        PF_BEGIN
        mov eax, [0x402000]             ; PTE not present: #PF 0
        PF_END
        ; read-only page: supervisor writes allowed while CR0.WP = 0
        mov dword [PT1 + 8], 0x202000 | 0x001
        PF_BEGIN
        mov dword [0x402000], 0xabcd
        mov eax, [0x202000]
        PF_END
        mov eax, cr0
        or eax, 0x10000                 ; WP
        mov cr0, eax
        PF_BEGIN
        mov dword [0x402004], 0xef01    ; #PF 3
        PF_END
        mov eax, cr0
        and eax, ~0x10000
        mov cr0, eax
        ; INVLPG picks up a changed PTE
        mov dword [0x200100], 0xaaaa
        mov dword [0x203100], 0xbbbb
        mov eax, [0x400100]
        mov dword [PT1], 0x203000 | 0x003
        invlpg [0x400100]
        mov ecx, [0x400100]
        DUMP
        ; ... and so does a CR3 reload
        mov dword [PT1], 0x200000 | 0x003
        mov eax, cr3
        mov cr3, eax
        mov ecx, [0x400100]
        DUMP
        ; 4 MiB page: linear 8-12 MiB → physical 4-8 MiB, seen again through PT1
        mov dword [PD + 2 * 4], 0x400000 | 0x083
        mov dword [PT1 + 4 * 4], 0x400000 | 0x003
        mov dword [0x800040], 0x5a5a5a5a
        mov eax, [0x404040]
        mov ecx, [PD + 2 * 4]           ; A and D on the large-page PDE
        DUMP
        PF_BEGIN
        mov dword [PD + 2 * 4], 0x400000 | 0x081    ; read-only large page, WP on
        mov eax, cr0
        or eax, 0x10000
        mov cr0, eax
        mov eax, cr3
        mov cr3, eax
        mov dword [0x800044], 1         ; #PF 3
        PF_END
        mov eax, cr0
        and eax, ~0x80010000            ; paging off
        mov cr0, eax
        ; --- PAE ---------------------------------------------------------------------------
        mov edi, PDPT
        mov ecx, 4 * 1024
        xor eax, eax
        rep stosd                       ; clear PDPT .. PAE_PD3
        mov dword [PDPT], PAE_PD0 | 1
        mov dword [PDPT + 3 * 8], PAE_PD3 | 1
        mov dword [PAE_PD0], PAE_PT0 | 0x003
        mov dword [PAE_PD0 + 1 * 8], 0x200000 | 0x083   ; 2 MiB identity page
        mov dword [PAE_PD0 + 3 * 8], 0x200000 | 0x083   ; alias of it at 6 MiB
        mov dword [PAE_PD3 + 511 * 8], 0xffe00000 | 0x083
        mov edi, PAE_PT0
        mov eax, 0x003
        mov ecx, 512
.pae:   mov [edi], eax
        add edi, 8
        add eax, 0x1000
        loop .pae
        mov eax, cr4
        or eax, 0x20                    ; PAE
        mov cr4, eax
        mov eax, PDPT
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov dword [0x600080], 0x600d
        mov eax, [0x200080]
        mov ecx, [PAE_PD0 + 3 * 8]
        mov edx, [PAE_PD0 + 1 * 8]
        DUMP
        PF_BEGIN
        mov eax, [0x40000000]           ; PDPTE 1 not present: #PF 0
        PF_END
        PF_BEGIN
        mov dword [0x00800000], 1       ; PDE 4 not present: #PF 2
        PF_END
        mov dword [PAE_PT0 + 0x100 * 8], 0x100000 | 0x001   ; read-only 4 KiB page
        mov eax, cr0
        or eax, 0x10000
        mov cr0, eax
        PF_BEGIN
        invlpg [0x100000]
        mov dword [0x100000], 1         ; #PF 3
        PF_END
        mov al, 0
        ret

%include "lib/rom-end.inc"
