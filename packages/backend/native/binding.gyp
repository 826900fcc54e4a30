{
  "targets": [
    {
      "target_name": "rectifier_onednn",
      "sources": [
        "src/addon.cc",
        "src/common.cc",
        "src/convolution.cc",
        "src/elementwise.cc",
        "src/matmul.cc",
        "src/pooling.cc",
        "src/prelu.cc",
        "src/sgd.cc",
        "src/spp.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++14"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-frtti", "-fopenmp", "-ffp-contract=off"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
