/* tsvm KVM addon: system and VM ioctls, guest RAM, module setup. vCPU ioctls live in vcpu.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"

#define PAGE 4096ULL
/* Largest single RAM allocation we hand out (1 TiB): beyond that the caller is confused. */
#define MAX_RAM_BYTES (1ULL << 40)

void mapping_release(mapping *m) {
  if (--m->owners > 0) return;
  munmap(m->addr, m->len);
  free(m);
}

static void finalize_mapping(napi_env env, void *data, void *hint) { mapping_release(hint); }

/* ---- fd handles (system, VM) ------------------------------------------------------------- */

static void finalize_fd(napi_env env, void *data, void *hint) {
  fd_handle *h = data;
  if (h->fd >= 0) close(h->fd);
  free(h);
}

static napi_value wrap_fd(napi_env env, int fd, const char *kind) {
  fd_handle *h = malloc(sizeof *h);
  if (!h) {
    close(fd);
    return throw_errno(env, "malloc", ENOMEM, NULL);
  }
  h->fd = fd;
  h->kind = kind;
  napi_value ext;
  napi_create_external(env, h, finalize_fd, NULL, &ext);
  napi_type_tag_object(env, ext, &FD_TAG);
  return ext;
}

/* openSystem(path) → system handle. Errors keep errno so probe() can tell ENOENT from EACCES. */
static napi_value open_system(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!args(env, info, "open", 1, argv)) return NULL;
  char path[256];
  size_t len;
  napi_valuetype t;
  napi_typeof(env, argv[0], &t);
  if (t != napi_string) return throw_type(env, "open", "path must be a string");
  napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len);
  if (len >= sizeof path - 1) return throw_range(env, "open", "path is too long");
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, "open", errno, path);
  return wrap_fd(env, fd, "KVM system");
}

static napi_value close_handle(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!args(env, info, "close", 1, argv)) return NULL;
  void *p;
  bool ok = false;
  napi_valuetype t;
  napi_typeof(env, argv[0], &t);
  if (t != napi_external || napi_check_object_type_tag(env, argv[0], &FD_TAG, &ok) != napi_ok || !ok)
    return throw_type(env, "close", "expected a KVM system or VM handle");
  napi_get_value_external(env, argv[0], &p);
  fd_handle *h = p;
  if (h->fd >= 0) close(h->fd);
  h->fd = -1;
  return undefined(env);
}

static napi_value sys_ioctl_value(napi_env env, napi_callback_info info, const char *op, unsigned long req,
                                  bool has_arg) {
  napi_value argv[2];
  if (!args(env, info, op, has_arg ? 2 : 1, argv)) return NULL;
  fd_handle *h;
  if (!arg_fd(env, argv[0], op, "KVM system", &h)) return NULL;
  uint32_t arg = 0;
  if (has_arg && !arg_u32(env, argv[1], op, "capability", &arg)) return NULL;
  int r = ioctl(h->fd, req, (unsigned long)arg);
  if (r < 0) return throw_errno(env, op, errno, NULL);
  return make_i32(env, r);
}

static napi_value get_api_version(napi_env env, napi_callback_info info) {
  return sys_ioctl_value(env, info, "KVM_GET_API_VERSION", KVM_GET_API_VERSION, false);
}
static napi_value check_extension(napi_env env, napi_callback_info info) {
  return sys_ioctl_value(env, info, "KVM_CHECK_EXTENSION", KVM_CHECK_EXTENSION, true);
}
static napi_value get_vcpu_mmap_size(napi_env env, napi_callback_info info) {
  return sys_ioctl_value(env, info, "KVM_GET_VCPU_MMAP_SIZE", KVM_GET_VCPU_MMAP_SIZE, false);
}

/* getSupportedCpuid(sys) → Uint32Array of kvm_cpuid_entry2 records (10 words each). */
static napi_value get_supported_cpuid(napi_env env, napi_callback_info info) {
  const char *op = "KVM_GET_SUPPORTED_CPUID";
  napi_value argv[1];
  if (!args(env, info, op, 1, argv)) return NULL;
  fd_handle *h;
  if (!arg_fd(env, argv[0], op, "KVM system", &h)) return NULL;
  for (uint32_t n = 64; n <= 4096; n *= 2) {
    struct kvm_cpuid2 *c = calloc(1, sizeof *c + n * sizeof(struct kvm_cpuid_entry2));
    if (!c) return throw_errno(env, op, ENOMEM, NULL);
    c->nent = n;
    if (ioctl(h->fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
      int err = errno;
      free(c);
      if (err == E2BIG) continue;
      return throw_errno(env, op, err, NULL);
    }
    size_t bytes = c->nent * sizeof(struct kvm_cpuid_entry2);
    void *data;
    napi_value ab, arr;
    napi_create_arraybuffer(env, bytes, &data, &ab);
    memcpy(data, c->entries, bytes);
    napi_create_typedarray(env, napi_uint32_array, bytes / 4, ab, 0, &arr);
    free(c);
    return arr;
  }
  return throw_errno(env, op, E2BIG, "more than 4096 entries");
}

/* getMsrIndexList(sys) → Uint32Array of the MSR indices KVM saves and restores. */
static napi_value get_msr_index_list(napi_env env, napi_callback_info info) {
  const char *op = "KVM_GET_MSR_INDEX_LIST";
  napi_value argv[1];
  if (!args(env, info, op, 1, argv)) return NULL;
  fd_handle *h;
  if (!arg_fd(env, argv[0], op, "KVM system", &h)) return NULL;
  struct kvm_msr_list probe = {.nmsrs = 0};
  if (ioctl(h->fd, KVM_GET_MSR_INDEX_LIST, &probe) < 0 && errno != E2BIG) return throw_errno(env, op, errno, NULL);
  uint32_t n = probe.nmsrs;
  struct kvm_msr_list *l = calloc(1, sizeof *l + (n + 1) * sizeof(uint32_t));
  if (!l) return throw_errno(env, op, ENOMEM, NULL);
  l->nmsrs = n;
  if (ioctl(h->fd, KVM_GET_MSR_INDEX_LIST, l) < 0) {
    int err = errno;
    free(l);
    return throw_errno(env, op, err, NULL);
  }
  void *data;
  napi_value ab, arr;
  napi_create_arraybuffer(env, l->nmsrs * 4, &data, &ab);
  memcpy(data, l->indices, l->nmsrs * 4);
  napi_create_typedarray(env, napi_uint32_array, l->nmsrs, ab, 0, &arr);
  free(l);
  return arr;
}

static napi_value create_vm(napi_env env, napi_callback_info info) {
  const char *op = "KVM_CREATE_VM";
  napi_value argv[1];
  if (!args(env, info, op, 1, argv)) return NULL;
  fd_handle *h;
  if (!arg_fd(env, argv[0], op, "KVM system", &h)) return NULL;
  int fd = ioctl(h->fd, KVM_CREATE_VM, 0);
  if (fd < 0) return throw_errno(env, op, errno, NULL);
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  return wrap_fd(env, fd, "VM");
}

/* ---- guest RAM ------------------------------------------------------------------------ */

/* allocateMemory(bytes) → ArrayBuffer over anonymous mmap'd memory, unmapped by its finalizer only. */
static napi_value allocate_memory(napi_env env, napi_callback_info info) {
  const char *op = "mmap";
  napi_value argv[1];
  if (!args(env, info, op, 1, argv)) return NULL;
  uint64_t bytes;
  if (!arg_u64(env, argv[0], op, "size", &bytes)) return NULL;
  if (bytes == 0 || bytes % PAGE || bytes > MAX_RAM_BYTES)
    return throw_range(env, op, "size must be a non-zero multiple of 4096 up to 1 TiB, got %llu",
                       (unsigned long long)bytes);
  mapping *m = malloc(sizeof *m);
  if (!m) return throw_errno(env, op, ENOMEM, NULL);
  m->addr = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m->addr == MAP_FAILED) {
    int err = errno;
    free(m);
    return throw_errno(env, op, err, "guest RAM");
  }
  m->len = bytes;
  m->owners = 1;
  napi_value ab;
  if (napi_create_external_arraybuffer(env, m->addr, bytes, finalize_mapping, m, &ab) != napi_ok) {
    mapping_release(m);
    return throw_errno(env, op, ENOMEM, "cannot wrap guest RAM in an ArrayBuffer");
  }
  return ab;
}

/* setUserMemoryRegion(vm, slot, flags, guestPhys, size, bytes|null): size 0 deletes the slot. */
static napi_value set_user_memory_region(napi_env env, napi_callback_info info) {
  const char *op = "KVM_SET_USER_MEMORY_REGION";
  napi_value argv[6];
  if (!args(env, info, op, 6, argv)) return NULL;
  fd_handle *h;
  uint32_t slot, flags;
  uint64_t gpa, size;
  if (!arg_fd(env, argv[0], op, "VM", &h) || !arg_u32(env, argv[1], op, "slot", &slot) ||
      !arg_u32(env, argv[2], op, "flags", &flags) || !arg_u64(env, argv[3], op, "guest physical address", &gpa) ||
      !arg_u64(env, argv[4], op, "size", &size))
    return NULL;
  if (flags & ~(uint32_t)(KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY))
    return throw_range(env, op, "unknown flags 0x%x", flags);
  if (gpa % PAGE || size % PAGE)
    return throw_range(env, op, "guest address 0x%llx and size 0x%llx must be multiples of 4096",
                       (unsigned long long)gpa, (unsigned long long)size);
  if (gpa + size < gpa || gpa + size > (1ULL << 52))
    return throw_range(env, op, "region [0x%llx, +0x%llx) is outside the 52-bit physical address space",
                       (unsigned long long)gpa, (unsigned long long)size);
  uint64_t hva = 0;
  if (size) {
    bool is_ta = false;
    napi_is_typedarray(env, argv[5], &is_ta);
    napi_typedarray_type type;
    size_t length = 0;
    void *data = NULL;
    if (is_ta) napi_get_typedarray_info(env, argv[5], &type, &length, &data, NULL, NULL);
    if (!is_ta || type != napi_uint8_array) return throw_type(env, op, "host memory must be a Uint8Array");
    if (length != size)
      return throw_range(env, op, "host memory is %zu bytes but the region is %llu", length, (unsigned long long)size);
    if ((uintptr_t)data % PAGE) return throw_range(env, op, "host memory must start on a page boundary");
    hva = (uintptr_t)data;
  }
  struct kvm_userspace_memory_region r = {
      .slot = slot, .flags = flags, .guest_phys_addr = gpa, .memory_size = size, .userspace_addr = hva};
  if (ioctl(h->fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) return throw_errno(env, op, errno, NULL);
  return undefined(env);
}

static napi_value vm_ioctl_u64(napi_env env, napi_callback_info info, const char *op, unsigned long req,
                               bool by_pointer) {
  napi_value argv[2];
  if (!args(env, info, op, 2, argv)) return NULL;
  fd_handle *h;
  uint64_t v;
  if (!arg_fd(env, argv[0], op, "VM", &h) || !arg_u64(env, argv[1], op, "address", &v)) return NULL;
  if (v > 0xffffffffULL) return throw_range(env, op, "address must be below 4 GiB");
  int r = by_pointer ? ioctl(h->fd, req, &v) : ioctl(h->fd, req, (unsigned long)v);
  if (r < 0) return throw_errno(env, op, errno, NULL);
  return undefined(env);
}

static napi_value set_tss_addr(napi_env env, napi_callback_info info) {
  return vm_ioctl_u64(env, info, "KVM_SET_TSS_ADDR", KVM_SET_TSS_ADDR, false);
}
static napi_value set_identity_map_addr(napi_env env, napi_callback_info info) {
  return vm_ioctl_u64(env, info, "KVM_SET_IDENTITY_MAP_ADDR", KVM_SET_IDENTITY_MAP_ADDR, true);
}

static napi_value create_irqchip(napi_env env, napi_callback_info info) {
  const char *op = "KVM_CREATE_IRQCHIP";
  napi_value argv[1];
  fd_handle *h;
  if (!args(env, info, op, 1, argv) || !arg_fd(env, argv[0], op, "VM", &h)) return NULL;
  if (ioctl(h->fd, KVM_CREATE_IRQCHIP, 0) < 0) return throw_errno(env, op, errno, NULL);
  return undefined(env);
}

static napi_value create_pit2(napi_env env, napi_callback_info info) {
  const char *op = "KVM_CREATE_PIT2";
  napi_value argv[1];
  fd_handle *h;
  if (!args(env, info, op, 1, argv) || !arg_fd(env, argv[0], op, "VM", &h)) return NULL;
  struct kvm_pit_config c = {.flags = KVM_PIT_SPEAKER_DUMMY};
  if (ioctl(h->fd, KVM_CREATE_PIT2, &c) < 0) return throw_errno(env, op, errno, NULL);
  return undefined(env);
}

static napi_value irq_line(napi_env env, napi_callback_info info) {
  const char *op = "KVM_IRQ_LINE";
  napi_value argv[3];
  fd_handle *h;
  uint32_t irq;
  bool level;
  if (!args(env, info, op, 3, argv) || !arg_fd(env, argv[0], op, "VM", &h) || !arg_u32(env, argv[1], op, "irq", &irq) ||
      !arg_bool(env, argv[2], op, "level", &level))
    return NULL;
  struct kvm_irq_level l = {.irq = irq, .level = level};
  if (ioctl(h->fd, KVM_IRQ_LINE, &l) < 0) return throw_errno(env, op, errno, NULL);
  return undefined(env);
}

/* ---- module ----------------------------------------------------------------------------- */

static void set_const(napi_env env, napi_value obj, const char *name, uint32_t v) {
  napi_set_named_property(env, obj, name, make_u32(env, v));
}

static napi_value init(napi_env env, napi_value exports) {
  EXPORT_FN(env, exports, "openSystem", open_system);
  EXPORT_FN(env, exports, "close", close_handle);
  EXPORT_FN(env, exports, "getApiVersion", get_api_version);
  EXPORT_FN(env, exports, "checkExtension", check_extension);
  EXPORT_FN(env, exports, "getVcpuMmapSize", get_vcpu_mmap_size);
  EXPORT_FN(env, exports, "getSupportedCpuid", get_supported_cpuid);
  EXPORT_FN(env, exports, "getMsrIndexList", get_msr_index_list);
  EXPORT_FN(env, exports, "createVm", create_vm);
  EXPORT_FN(env, exports, "allocateMemory", allocate_memory);
  EXPORT_FN(env, exports, "setUserMemoryRegion", set_user_memory_region);
  EXPORT_FN(env, exports, "setTssAddr", set_tss_addr);
  EXPORT_FN(env, exports, "setIdentityMapAddr", set_identity_map_addr);
  EXPORT_FN(env, exports, "createIrqchip", create_irqchip);
  EXPORT_FN(env, exports, "createPit2", create_pit2);
  EXPORT_FN(env, exports, "irqLine", irq_line);
  register_vcpu_functions(env, exports);

  /* Layout facts the TS side needs, taken from the kernel headers rather than hard-coded in TS. */
  napi_value c;
  napi_create_object(env, &c);
  set_const(env, c, "KVM_API_VERSION", KVM_API_VERSION);
  set_const(env, c, "KVM_MEM_READONLY", KVM_MEM_READONLY);
  set_const(env, c, "CAP_USER_MEMORY", KVM_CAP_USER_MEMORY);
  set_const(env, c, "CAP_SET_TSS_ADDR", KVM_CAP_SET_TSS_ADDR);
  set_const(env, c, "CAP_EXT_CPUID", KVM_CAP_EXT_CPUID);
  set_const(env, c, "CAP_XSAVE", KVM_CAP_XSAVE);
  set_const(env, c, "CAP_XCRS", KVM_CAP_XCRS);
  set_const(env, c, "CAP_VCPU_EVENTS", KVM_CAP_VCPU_EVENTS);
  set_const(env, c, "CAP_DEBUGREGS", KVM_CAP_DEBUGREGS);
  set_const(env, c, "CAP_MP_STATE", KVM_CAP_MP_STATE);
  set_const(env, c, "CAP_READONLY_MEM", KVM_CAP_READONLY_MEM);
  set_const(env, c, "CAP_IMMEDIATE_EXIT", KVM_CAP_IMMEDIATE_EXIT);
  set_const(env, c, "CAP_TSC_CONTROL", KVM_CAP_TSC_CONTROL);
  set_const(env, c, "CAP_GET_TSC_KHZ", KVM_CAP_GET_TSC_KHZ);
  set_const(env, c, "CAP_NR_MEMSLOTS", KVM_CAP_NR_MEMSLOTS);
  set_const(env, c, "CAP_IRQCHIP", KVM_CAP_IRQCHIP);
  set_const(env, c, "CAP_SET_GUEST_DEBUG", KVM_CAP_SET_GUEST_DEBUG);
  set_const(env, c, "GUESTDBG_ENABLE", KVM_GUESTDBG_ENABLE);
  set_const(env, c, "GUESTDBG_SINGLESTEP", KVM_GUESTDBG_SINGLESTEP);
  set_const(env, c, "GUESTDBG_USE_SW_BP", KVM_GUESTDBG_USE_SW_BP);
  set_const(env, c, "GUESTDBG_USE_HW_BP", KVM_GUESTDBG_USE_HW_BP);
  set_const(env, c, "GUESTDBG_INJECT_DB", KVM_GUESTDBG_INJECT_DB);
  set_const(env, c, "GUESTDBG_INJECT_BP", KVM_GUESTDBG_INJECT_BP);
  set_const(env, c, "EXIT_UNKNOWN", KVM_EXIT_UNKNOWN);
  set_const(env, c, "EXIT_EXCEPTION", KVM_EXIT_EXCEPTION);
  set_const(env, c, "EXIT_IO", KVM_EXIT_IO);
  set_const(env, c, "EXIT_DEBUG", KVM_EXIT_DEBUG);
  set_const(env, c, "EXIT_HLT", KVM_EXIT_HLT);
  set_const(env, c, "EXIT_MMIO", KVM_EXIT_MMIO);
  set_const(env, c, "EXIT_IRQ_WINDOW_OPEN", KVM_EXIT_IRQ_WINDOW_OPEN);
  set_const(env, c, "EXIT_SHUTDOWN", KVM_EXIT_SHUTDOWN);
  set_const(env, c, "EXIT_FAIL_ENTRY", KVM_EXIT_FAIL_ENTRY);
  set_const(env, c, "EXIT_INTR", KVM_EXIT_INTR);
  set_const(env, c, "EXIT_INTERNAL_ERROR", KVM_EXIT_INTERNAL_ERROR);
  set_const(env, c, "EXIT_SYSTEM_EVENT", KVM_EXIT_SYSTEM_EVENT);
  set_const(env, c, "RUN_REQUEST_INTERRUPT_WINDOW", offsetof(struct kvm_run, request_interrupt_window));
  set_const(env, c, "RUN_IMMEDIATE_EXIT", offsetof(struct kvm_run, immediate_exit));
  set_const(env, c, "RUN_EXIT_REASON", offsetof(struct kvm_run, exit_reason));
  set_const(env, c, "RUN_READY_FOR_INTERRUPT_INJECTION", offsetof(struct kvm_run, ready_for_interrupt_injection));
  set_const(env, c, "RUN_IF_FLAG", offsetof(struct kvm_run, if_flag));
  set_const(env, c, "RUN_IO_DIRECTION", offsetof(struct kvm_run, io.direction));
  set_const(env, c, "RUN_IO_SIZE", offsetof(struct kvm_run, io.size));
  set_const(env, c, "RUN_IO_PORT", offsetof(struct kvm_run, io.port));
  set_const(env, c, "RUN_IO_COUNT", offsetof(struct kvm_run, io.count));
  set_const(env, c, "RUN_IO_DATA_OFFSET", offsetof(struct kvm_run, io.data_offset));
  set_const(env, c, "RUN_MMIO_PHYS_ADDR", offsetof(struct kvm_run, mmio.phys_addr));
  set_const(env, c, "RUN_MMIO_DATA", offsetof(struct kvm_run, mmio.data));
  set_const(env, c, "RUN_MMIO_LEN", offsetof(struct kvm_run, mmio.len));
  set_const(env, c, "RUN_MMIO_IS_WRITE", offsetof(struct kvm_run, mmio.is_write));
  set_const(env, c, "RUN_FAIL_ENTRY_REASON", offsetof(struct kvm_run, fail_entry.hardware_entry_failure_reason));
  set_const(env, c, "RUN_INTERNAL_SUBERROR", offsetof(struct kvm_run, internal.suberror));
  set_const(env, c, "RUN_INTERNAL_NDATA", offsetof(struct kvm_run, internal.ndata));
  set_const(env, c, "RUN_INTERNAL_DATA", offsetof(struct kvm_run, internal.data));
  set_const(env, c, "RUN_SYSTEM_EVENT_TYPE", offsetof(struct kvm_run, system_event.type));
  set_const(env, c, "RUN_DEBUG_EXCEPTION", offsetof(struct kvm_run, debug.arch.exception));
  set_const(env, c, "RUN_DEBUG_PC", offsetof(struct kvm_run, debug.arch.pc));
  set_const(env, c, "RUN_DEBUG_DR6", offsetof(struct kvm_run, debug.arch.dr6));
  set_const(env, c, "RUN_DEBUG_DR7", offsetof(struct kvm_run, debug.arch.dr7));
  set_const(env, c, "IO_OUT", KVM_EXIT_IO_OUT);
  set_const(env, c, "SIZEOF_REGS", sizeof(struct kvm_regs));
  set_const(env, c, "SIZEOF_SREGS", sizeof(struct kvm_sregs));
  set_const(env, c, "SIZEOF_FPU", sizeof(struct kvm_fpu));
  set_const(env, c, "SIZEOF_XSAVE", sizeof(struct kvm_xsave));
  set_const(env, c, "SIZEOF_XCRS", sizeof(struct kvm_xcrs));
  set_const(env, c, "SIZEOF_VCPU_EVENTS", sizeof(struct kvm_vcpu_events));
  set_const(env, c, "SIZEOF_DEBUGREGS", sizeof(struct kvm_debugregs));
  set_const(env, c, "SIZEOF_LAPIC", sizeof(struct kvm_lapic_state));
  set_const(env, c, "EVENTS_NMI_PENDING", KVM_VCPUEVENT_VALID_NMI_PENDING);
  set_const(env, c, "EVENTS_SIPI_VECTOR", KVM_VCPUEVENT_VALID_SIPI_VECTOR);
  set_const(env, c, "EVENTS_SHADOW", KVM_VCPUEVENT_VALID_SHADOW);
  set_const(env, c, "EVENTS_FLAGS_OFFSET", offsetof(struct kvm_vcpu_events, flags));
  set_const(env, c, "MAX_MSR_BATCH", 256);
  napi_set_named_property(env, exports, "constants", c);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
