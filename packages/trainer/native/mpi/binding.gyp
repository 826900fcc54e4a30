{
  "targets": [
    {
      "target_name": "rectifier_mpi",
      "sources": ["mpi.c"],
      "defines": ["NAPI_VERSION=8", "OMPI_SKIP_MPICXX=1"],
      "cflags": ["-O2", "<!@(mpicc --showme:compile)"],
      "libraries": ["<!@(mpicc --showme:link)"]
    }
  ]
}
