// Node-API addon over MPI for @rectifier/trainer's `mpi` engine (src/parallel/mpi.ts).
//
// Exposes the collectives the multi-device trainer uses: MPI_Allreduce (sum of float32, in
// place), MPI_Gatherv / MPI_Scatterv (float32, root 0), MPI_Bcast (bytes, root 0), MPI_Barrier,
// MPI_Abort, MPI_Finalize. Each collective runs as napi async work on a libuv thread and returns a
// Promise, so the event loop keeps running (timers, I/O) while ranks wait for each other. MPI is
// initialised with MPI_THREAD_SERIALIZED: calls come from libuv threads, one at a time (the JS
// side awaits every collective before starting the next). The typed arrays are held by
// references until the work completes, so the garbage collector cannot move or free them.
#include <mpi.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(env, call)                                          \
  do {                                                            \
    if ((call) != napi_ok) {                                      \
      napi_throw_error((env), NULL, "rectifier_mpi: " #call);     \
      return NULL;                                                \
    }                                                             \
  } while (0)

enum op { OP_ALLREDUCE, OP_GATHERV, OP_SCATTERV, OP_BCAST, OP_BARRIER };

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref refs[4];
  int nrefs;
  enum op op;
  void *a, *b;
  int *counts, *displs;
  size_t n;
  int rc;
} work_t;

static int world_rank = 0;

static void execute(napi_env env, void *data) {
  (void)env;
  work_t *w = (work_t *)data;
  switch (w->op) {
    case OP_ALLREDUCE:
      w->rc = MPI_Allreduce(MPI_IN_PLACE, w->a, (int)w->n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
      break;
    case OP_GATHERV:
      w->rc = MPI_Gatherv(w->a, w->counts[world_rank], MPI_FLOAT, w->b, w->counts, w->displs,
                          MPI_FLOAT, 0, MPI_COMM_WORLD);
      break;
    case OP_SCATTERV:
      w->rc = MPI_Scatterv(w->a, w->counts, w->displs, MPI_FLOAT, w->b, w->counts[world_rank],
                           MPI_FLOAT, 0, MPI_COMM_WORLD);
      break;
    case OP_BCAST:
      w->rc = MPI_Bcast(w->a, (int)w->n, MPI_BYTE, 0, MPI_COMM_WORLD);
      break;
    case OP_BARRIER:
      w->rc = MPI_Barrier(MPI_COMM_WORLD);
      break;
  }
}

static void complete(napi_env env, napi_status status, void *data) {
  work_t *w = (work_t *)data;
  for (int i = 0; i < w->nrefs; i++) napi_delete_reference(env, w->refs[i]);
  napi_value result;
  if (status == napi_ok && w->rc == MPI_SUCCESS) {
    napi_get_undefined(env, &result);
    napi_resolve_deferred(env, w->deferred, result);
  } else {
    char text[MPI_MAX_ERROR_STRING + 64] = "MPI call failed";
    if (w->rc != MPI_SUCCESS) {
      int len = 0;
      char reason[MPI_MAX_ERROR_STRING];
      MPI_Error_string(w->rc, reason, &len);
      snprintf(text, sizeof text, "MPI call failed: %s", reason);
    }
    napi_value msg;
    napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &result);
    napi_reject_deferred(env, w->deferred, result);
  }
  napi_delete_async_work(env, w->work);
  free(w);
}

/** Pointer and element count of a typed array argument (null/undefined → NULL, 0). */
static int typed(napi_env env, napi_value v, work_t *w, void **ptr, size_t *length) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_null || t == napi_undefined) {
    *ptr = NULL;
    *length = 0;
    return 1;
  }
  bool is;
  napi_is_typedarray(env, v, &is);
  if (!is) return 0;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, ptr, &buffer, &offset) != napi_ok) return 0;
  napi_create_reference(env, v, 1, &w->refs[w->nrefs++]);
  return 1;
}

static napi_value start(napi_env env, napi_callback_info info, enum op op, size_t want) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < want) {
    napi_throw_type_error(env, NULL, "rectifier_mpi: missing arguments");
    return NULL;
  }
  work_t *w = (work_t *)calloc(1, sizeof(work_t));
  w->op = op;
  void *p[4] = {0};
  size_t len[4] = {0};
  for (size_t i = 0; i < want; i++) {
    if (!typed(env, argv[i], w, &p[i], &len[i])) {
      for (int k = 0; k < w->nrefs; k++) napi_delete_reference(env, w->refs[k]);
      free(w);
      napi_throw_type_error(env, NULL, "rectifier_mpi: arguments must be typed arrays (or null)");
      return NULL;
    }
  }
  switch (op) {
    case OP_ALLREDUCE:
    case OP_BCAST:
      w->a = p[0];
      w->n = len[0];
      break;
    case OP_GATHERV:  // (send, recv|null, counts, displs)
      w->a = p[0];
      w->b = p[1];
      w->counts = (int *)p[2];
      w->displs = (int *)p[3];
      break;
    case OP_SCATTERV:  // (send|null, counts, displs, recv)
      w->a = p[0];
      w->counts = (int *)p[1];
      w->displs = (int *)p[2];
      w->b = p[3];
      break;
    case OP_BARRIER:
      break;
  }
  napi_value promise, name;
  CHECK(env, napi_create_promise(env, &w->deferred, &promise));
  CHECK(env, napi_create_string_utf8(env, "rectifier_mpi", NAPI_AUTO_LENGTH, &name));
  CHECK(env, napi_create_async_work(env, NULL, name, execute, complete, w, &w->work));
  CHECK(env, napi_queue_async_work(env, w->work));
  return promise;
}

static napi_value allreduce_sum(napi_env env, napi_callback_info info) {
  return start(env, info, OP_ALLREDUCE, 1);
}
static napi_value gatherv(napi_env env, napi_callback_info info) {
  return start(env, info, OP_GATHERV, 4);
}
static napi_value scatterv(napi_env env, napi_callback_info info) {
  return start(env, info, OP_SCATTERV, 4);
}
static napi_value bcast(napi_env env, napi_callback_info info) {
  return start(env, info, OP_BCAST, 1);
}
static napi_value barrier(napi_env env, napi_callback_info info) {
  return start(env, info, OP_BARRIER, 0);
}

static napi_value init(napi_env env, napi_callback_info info) {
  (void)info;
  int ready = 0, provided = 0, size = 1;
  MPI_Initialized(&ready);
  if (!ready) MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
  else MPI_Query_thread(&provided);
  if (provided < MPI_THREAD_SERIALIZED) {
    napi_throw_error(env, NULL, "rectifier_mpi: this MPI does not provide MPI_THREAD_SERIALIZED");
    return NULL;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  napi_value out, r, s;
  CHECK(env, napi_create_object(env, &out));
  CHECK(env, napi_create_int32(env, world_rank, &r));
  CHECK(env, napi_create_int32(env, size, &s));
  CHECK(env, napi_set_named_property(env, out, "rank", r));
  CHECK(env, napi_set_named_property(env, out, "size", s));
  return out;
}

static napi_value abort_job(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int code = 1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc > 0)
    napi_get_value_int32(env, argv[0], &code);
  MPI_Abort(MPI_COMM_WORLD, code);
  return NULL;
}

static napi_value finalize(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  int done = 0;
  MPI_Finalized(&done);
  if (!done) MPI_Finalize();
  return NULL;
}

static napi_value module_init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"init", NULL, init, NULL, NULL, NULL, napi_default, NULL},
      {"allreduceSum", NULL, allreduce_sum, NULL, NULL, NULL, napi_default, NULL},
      {"gatherv", NULL, gatherv, NULL, NULL, NULL, napi_default, NULL},
      {"scatterv", NULL, scatterv, NULL, NULL, NULL, napi_default, NULL},
      {"bcast", NULL, bcast, NULL, NULL, NULL, napi_default, NULL},
      {"barrier", NULL, barrier, NULL, NULL, NULL, napi_default, NULL},
      {"abort", NULL, abort_job, NULL, NULL, NULL, napi_default, NULL},
      {"finalize", NULL, finalize, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, module_init)
