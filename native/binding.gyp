{
  "targets": [
    {
      "target_name": "alignlab_native",
      "sources": ["alignlab_native.c"],
      "cflags": ["-O3", "-march=native", "-ffast-math", "-std=c11"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/openblas"],
      "libraries": ["-lopenblas", "-lm"]
    }
  ]
}
