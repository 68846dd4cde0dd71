{
  "variables": {
    "openblas%": "<!(node detect-openblas.cjs)"
  },
  "targets": [
    {
      "target_name": "alignlab_native",
      "sources": ["alignlab_native.c", "sgemm.c"],
      "cflags": ["-O3", "-march=native", "-ffast-math", "-std=c11", "-D_ISOC11_SOURCE"],
      "libraries": ["-lm"],
      "conditions": [
        [
          "openblas==1",
          {
            "defines": ["ALIGNLAB_OPENBLAS"],
            "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/openblas"],
            "libraries": ["-lopenblas"]
          }
        ]
      ]
    }
  ]
}
