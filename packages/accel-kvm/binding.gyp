{
  "targets": [
    {
      "target_name": "tsvm_kvm",
      "sources": ["native/addon.c", "native/vcpu.c", "native/trace.c", "native/errors.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-O2"],
      "libraries": ["-lrt"]
    }
  ]
}
