{
  "targets": [
    {
      "target_name": "rectifier_jpeg",
      "sources": ["src/jpegRegion.cc", "src/resample.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++14"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions"],
      "libraries": ["-ljpeg"]
    }
  ]
}
