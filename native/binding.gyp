# node-gyp build of the optional native add-on (nac_blas.node): batched SGEMM through OpenBLAS, depthwise
# convolutions, layer norm, block sums, elementwise functions and broadcasting arithmetic, run in place on the tfjs wasm backend's
# heap. Needs a C compiler, libopenblas-dev and glibc's libmvec (Debian: libc6-dev);
# native/build.mjs runs it and turns any failure into a one-line notice.
{
  "targets": [
    {
      # unary-math.c alone is built with -ffast-math: glibc declares its vector math (libmvec) only then.
      "target_name": "nac_fastmath",
      "type": "static_library",
      "sources": ["src/unary-math.c"],
      "cflags": ["-O3", "-ffast-math", "-fPIC", "-Wall", "-Wextra"]
    },
    {
      "target_name": "nac_blas",
      "dependencies": ["nac_fastmath"],
      "sources": ["src/nac_blas.c", "src/depthwise.c", "src/layer-norm.c", "src/sum.c", "src/unary.c", "src/binary.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O3", "-Wall", "-Wextra"],
      "libraries": ["-lopenblas", "-lmvec", "-lm"]
    }
  ]
}
