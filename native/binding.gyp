# node-gyp build of the optional native add-on (nac_blas.node): batched SGEMM through OpenBLAS and depthwise convolutions,
# run in place on the tfjs wasm backend's heap. Needs a C compiler and libopenblas-dev (Debian);
# native/build.mjs runs it and turns any failure into a one-line notice.
{
  "targets": [
    {
      "target_name": "nac_blas",
      "sources": ["src/nac_blas.c", "src/depthwise.c", "src/layer-norm.c", "src/sum.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O3", "-Wall", "-Wextra"],
      "libraries": ["-lopenblas", "-lm"]
    }
  ]
}
