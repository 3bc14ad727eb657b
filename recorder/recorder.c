/*
 * wbemsim recorder: a plain Win32/COM client of IWbemServices that runs one named scenario
 * against ROOT\CIMV2 and writes what its sinks saw as a wbemsim trace (JSON lines, format
 * version 2, docs/trace-format.md) on stdout. It is a black-box recording: no broker annotations,
 * only what the client can observe.
 *
 *   recorder SCENARIO      run one scenario; the trace goes to stdout
 *   recorder --list        print the scenario names, one a line
 *
 * Exit codes: 0 a trace was written (its run.end says how it ended, `deadlock` included); 2 bad
 * usage or the broker could not be reached; 3 the scenario cannot run on this broker (the reason
 * is on stderr).
 *
 * Build (C11):
 *   x86_64-w64-mingw32-gcc -std=c11 -O2 -o recorder.exe recorder.c -lole32 -loleaut32 -lwbemuuid -luuid
 *   cl /std:c11 /O2 recorder.c ole32.lib oleaut32.lib wbemuuid.lib
 *   clang -std=c11 -O2 -o recorder.exe recorder.c -lole32 -loleaut32 -lwbemuuid -luuid
 *
 * Every blocking wait has a bound, and a watchdog thread ends the process when the main thread is
 * stuck in a call that never returns (a cancel that waits for the thread it runs on): the trace
 * then ends with a `marker.watchdog` verdict and `run.end` reason `deadlock`, never a hang.
 */
#define COBJMACROS
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <objbase.h>
#include <oleauto.h>
#include <wbemcli.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _MSC_VER
#define THREAD_LOCAL __declspec(thread)
#else
#define THREAD_LOCAL _Thread_local
#endif

#ifndef WBEM_E_CALL_CANCELLED
#define WBEM_E_CALL_CANCELLED 0x80041032
#endif

/* A query with one stable row, and one with several stable rows. */
#define ONE_ROW_QUERY L"SELECT * FROM Win32_OperatingSystem"
#define ONE_ROW_CLASS "Win32_OperatingSystem"
#define MULTI_ROW_QUERY L"SELECT * FROM Win32_LogicalDisk"
#define OTHER_QUERY L"SELECT * FROM Win32_BIOS"
/* Each query on a shared sink names its own class, so that the classes of the objects indicated
   tell which call a callback can belong to. */
#define THIRD_QUERY L"SELECT * FROM Win32_ComputerSystem"

/* Periods, ms. A convicting hold must reach max(1 s, ten times the control cancel latency). */
#define SETTLE_MS 200
#define LONG_HOLD_MS 1500
#define SHORT_HOLD_MS 300
#define FINAL_WAIT_MS 4000
#define DEADLOCK_WAIT_MS 2500
#define WATCHDOG_CALL_MS 6000

/* ---------------------------------------------------------------- the trace */

static CRITICAL_SECTION trace_lock;
static char *trace_buf;
static size_t trace_len, trace_cap;
static long trace_seq;
static int trace_closed;
static LARGE_INTEGER t_freq, t_start;
static const char *scenario_name = "";
static double control_latency_ms = -1;
static int no_security;

static double now_ms(void) {
  LARGE_INTEGER t;
  QueryPerformanceCounter(&t);
  return (double)(t.QuadPart - t_start.QuadPart) * 1000.0 / (double)t_freq.QuadPart;
}

static void buf_put(const char *s, size_t n) {
  if (trace_len + n + 1 > trace_cap) {
    size_t cap = trace_cap ? trace_cap : 65536;
    while (trace_len + n + 1 > cap) cap *= 2;
    char *b = realloc(trace_buf, cap);
    if (!b) { fputs("recorder: out of memory\n", stderr); ExitProcess(2); }
    trace_buf = b;
    trace_cap = cap;
  }
  memcpy(trace_buf + trace_len, s, n);
  trace_len += n;
  trace_buf[trace_len] = 0;
}

/* Appends one event: `fields` is the rest of the JSON object after seq, type, t and thread. */
static void emit(const char *type, const char *fields, ...) {
  char body[2048], line[2400];
  va_list ap;
  va_start(ap, fields);
  vsnprintf(body, sizeof body, fields, ap);
  va_end(ap);
  EnterCriticalSection(&trace_lock);
  if (!trace_closed) {
    int n = snprintf(line, sizeof line, "{\"seq\":%ld,\"type\":\"%s\",\"t\":%.3f,\"thread\":\"%lu\"%s%s}\n",
                     ++trace_seq, type, now_ms(), (unsigned long)GetCurrentThreadId(), body[0] ? "," : "", body);
    buf_put(line, (size_t)n);
  }
  LeaveCriticalSection(&trace_lock);
}

static void write_all(const char *s, size_t n) {
  HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
  while (n > 0) {
    DWORD w = 0;
    if (!WriteFile(out, s, (DWORD)n, &w, NULL) || w == 0) return;
    s += w;
    n -= w;
  }
}

static void broker_identity(char *name, size_t nn, char *version, size_t vn, int *in_process) {
  typedef const char *(CDECL *wine_version_fn)(void);
  HMODULE ntdll = GetModuleHandleA("ntdll.dll");
  wine_version_fn wine_version = ntdll ? (wine_version_fn)(void (*)(void))GetProcAddress(ntdll, "wine_get_version") : NULL;
  if (wine_version) {
    snprintf(name, nn, "wine-wbemprox");
    snprintf(version, vn, "%s", wine_version());
    *in_process = 1;
    return;
  }
  typedef LONG (WINAPI *rtl_get_version_fn)(OSVERSIONINFOW *);
  rtl_get_version_fn rtl = ntdll ? (rtl_get_version_fn)(void (*)(void))GetProcAddress(ntdll, "RtlGetVersion") : NULL;
  OSVERSIONINFOW v;
  memset(&v, 0, sizeof v);
  v.dwOSVersionInfoSize = sizeof v;
  if (rtl) rtl(&v);
  snprintf(name, nn, "microsoft-wmi");
  snprintf(version, vn, "%lu.%lu.%lu", v.dwMajorVersion, v.dwMinorVersion, v.dwBuildNumber);
  /* Windows' broker (winmgmt) runs in another process: COM's references mix into the counts. */
  *in_process = 0;
}

/* Writes the header and every event, once; later events are dropped. */
static void flush_trace(void) {
  char name[64], version[64], header[1024];
  int in_process;
  EnterCriticalSection(&trace_lock);
  if (trace_closed) { LeaveCriticalSection(&trace_lock); return; }
  trace_closed = 1;
  broker_identity(name, sizeof name, version, sizeof version, &in_process);
  char latency[64] = "";
  if (control_latency_ms >= 0) snprintf(latency, sizeof latency, ",\"controlCancelLatencyMs\":%.3f", control_latency_ms);
  int n = snprintf(header, sizeof header,
                   "{\"seq\":0,\"type\":\"header\",\"format\":\"wbemsim-trace\",\"version\":2,\"recorder\":\"recorder\","
                   "\"broker\":{\"name\":\"%s\",\"version\":\"%s\"},\"inProcess\":%s,\"whiteBox\":false,\"workload\":\"%s\"%s,\"settleMs\":%d}\n",
                   name, version, in_process ? "true" : "false", scenario_name, latency, SETTLE_MS);
  write_all(header, (size_t)n);
  write_all(trace_buf ? trace_buf : "", trace_len);
  LeaveCriticalSection(&trace_lock);
}

static void finish(void) {
  emit("run.end", "\"reason\":\"recording-end\"");
  flush_trace();
  /* Broker threads may still be blocked: end the process without waiting for them. */
  TerminateProcess(GetCurrentProcess(), 0);
}

/* JSON string of a wide string (ASCII-safe escape), into out. */
static void json_wide(char *out, size_t n, const WCHAR *w) {
  size_t j = 0;
  for (; w && *w && j + 8 < n; w++) {
    WCHAR c = *w;
    if (c == '"' || c == '\\') { out[j++] = '\\'; out[j++] = (char)c; }
    else if (c >= 0x20 && c < 0x7f) out[j++] = (char)c;
    else j += (size_t)snprintf(out + j, n - j, "\\u%04x", (unsigned)c);
  }
  out[j] = 0;
}

/* ---------------------------------------------------------------- the watchdog */

static volatile LONG watchdog_armed;
static volatile double watchdog_deadline;
static char watchdog_what[256];
static char pending_cancel[16];

static void fire_deadlock(const char *what) {
  if (pending_cancel[0])
    emit("marker.watchdog", "\"verdict\":\"deadlock\",\"cancel\":\"%s\",\"detail\":\"%s\"", pending_cancel, what);
  else
    emit("marker.watchdog", "\"verdict\":\"deadlock\",\"detail\":\"%s\"", what);
  emit("run.end", "\"reason\":\"deadlock\",\"detail\":\"%s\"", what);
  flush_trace();
  TerminateProcess(GetCurrentProcess(), 0);
}

static DWORD WINAPI watchdog_thread(void *unused) {
  (void)unused;
  for (;;) {
    Sleep(10);
    if (watchdog_armed && now_ms() > watchdog_deadline) fire_deadlock(watchdog_what);
  }
  return 0;
}

/* Arms the watchdog around a call that might never return. */
static void arm(DWORD ms, const char *what) {
  snprintf(watchdog_what, sizeof watchdog_what, "%s", what);
  watchdog_deadline = now_ms() + ms;
  InterlockedExchange(&watchdog_armed, 1);
}
static void disarm(void) { InterlockedExchange(&watchdog_armed, 0); }

/* ---------------------------------------------------------------- the sink */

enum hold_kind { HOLD_NONE, HOLD_UNTIL_CANCEL, HOLD_FIXED };

typedef struct Sink {
  IWbemObjectSink iface;
  volatile LONG ref;
  char name[8];
  int quiet;               /* the control sink: nothing is recorded */
  int attribute;           /* callbacks name the sink's call (one call per sink) */
  char call[16];           /* the sink's call, when it has one */
  enum hold_kind hold;     /* hold its first Indicate */
  DWORD hold_ms;
  int hold_used;
  int cancel_in_indicate, cancel_in_final;
  HRESULT indicate_ret;    /* what the first Indicate returns */
  int indicates;
  IWbemServices *svc;      /* for a cancel from inside a callback */
  const char *svc_name;
  HANDLE held_entered;     /* set when the held callback started */
  HANDLE cancel_returned;  /* set when a cancel with this sink returned */
  HANDLE final_event;
  volatile LONG finals;
} Sink;

static THREAD_LOCAL int client_ref;    /* the recorder itself is changing a count */
static THREAD_LOCAL const char *in_callback;
static volatile LONG cb_counter, call_counter, cancel_counter;

static Sink *impl(IWbemObjectSink *s) { return (Sink *)s; }

static ULONG STDMETHODCALLTYPE sink_addref(IWbemObjectSink *This) {
  Sink *s = impl(This);
  LONG n = InterlockedIncrement(&s->ref);
  if (!s->quiet) emit("sink.addref", "\"sink\":\"%s\",\"count\":%ld,\"by\":\"%s\"", s->name, n, client_ref ? "client" : "broker");
  return (ULONG)n;
}

static ULONG STDMETHODCALLTYPE sink_release(IWbemObjectSink *This) {
  Sink *s = impl(This);
  LONG n = InterlockedDecrement(&s->ref);
  if (!s->quiet) emit("sink.release", "\"sink\":\"%s\",\"count\":%ld,\"by\":\"%s\"", s->name, n, client_ref ? "client" : "broker");
  /* Never freed: a late callback after the last Release must still be recordable. */
  return (ULONG)n;
}

static HRESULT STDMETHODCALLTYPE sink_qi(IWbemObjectSink *This, REFIID riid, void **out) {
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemObjectSink)) {
    *out = This;
    sink_addref(This);
    return S_OK;
  }
  *out = NULL;
  return E_NOINTERFACE;
}

static void do_cancel(IWbemServices *svc, const char *svc_name, Sink *s, const char *from_cb);

static const char *call_field(Sink *s, char *buf, size_t n) {
  if (s->attribute && s->call[0]) snprintf(buf, n, ",\"call\":\"%s\"", s->call);
  else buf[0] = 0;
  return buf;
}

/* Holds the callback as configured; returns after the hold.released event. */
static void hold_callback(Sink *s, const char *cb) {
  const char *by;
  SetEvent(s->held_entered);
  if (s->hold == HOLD_UNTIL_CANCEL) {
    by = WaitForSingleObject(s->cancel_returned, s->hold_ms) == WAIT_OBJECT_0 ? "cancel-returned" : "watchdog";
  } else {
    Sleep(s->hold_ms);
    by = "timer";
  }
  emit("hold.released", "\"cb\":\"%s\",\"by\":\"%s\"", cb, by);
}

static const char *hold_fields(Sink *s, char *buf, size_t n) {
  snprintf(buf, n, ",\"held\":true,\"hold\":\"%s\",\"holdBound\":%lu", s->hold == HOLD_UNTIL_CANCEL ? "until-cancel" : "fixed-period",
           (unsigned long)s->hold_ms);
  return buf;
}

static HRESULT STDMETHODCALLTYPE sink_indicate(IWbemObjectSink *This, LONG count, IWbemClassObject **objs) {
  Sink *s = impl(This);
  if (s->quiet) return S_OK;
  char cb[16], classes[1024], callf[40], holdf[96];
  snprintf(cb, sizeof cb, "cb%ld", InterlockedIncrement(&cb_counter));
  size_t j = 0;
  classes[0] = 0;
  for (LONG i = 0; i < count && objs && j + 200 < sizeof classes; i++) {
    VARIANT v;
    VariantInit(&v);
    if (objs[i] && SUCCEEDED(IWbemClassObject_Get(objs[i], L"__CLASS", 0, &v, NULL, NULL)) && V_VT(&v) == VT_BSTR) {
      char name[160];
      json_wide(name, sizeof name, V_BSTR(&v));
      j += (size_t)snprintf(classes + j, sizeof classes - j, "%s\"%s\"", j ? "," : "", name);
    }
    VariantClear(&v);
  }
  int held = s->hold != HOLD_NONE && !s->hold_used;
  if (held) s->hold_used = 1;
  emit("indicate.entered", "\"cb\":\"%s\",\"sink\":\"%s\"%s,\"count\":%ld%s%s%s%s", cb, s->name, call_field(s, callf, sizeof callf), count,
       j ? ",\"classes\":[" : "", classes, j ? "]" : "", held ? hold_fields(s, holdf, sizeof holdf) : "");
  const char *outer = in_callback;
  in_callback = cb;
  HRESULT ret = s->indicates++ == 0 ? s->indicate_ret : S_OK;
  if (held) hold_callback(s, cb);
  if (s->cancel_in_indicate) { s->cancel_in_indicate = 0; do_cancel(s->svc, s->svc_name, s, cb); }
  in_callback = outer;
  emit("indicate.returned", "\"cb\":\"%s\",\"ret\":%lu", cb, (unsigned long)ret);
  return ret;
}

static HRESULT STDMETHODCALLTYPE sink_setstatus(IWbemObjectSink *This, LONG flags, HRESULT hr, BSTR param, IWbemClassObject *obj) {
  Sink *s = impl(This);
  (void)param;
  if (s->quiet) {
    if (flags == WBEM_STATUS_COMPLETE) { InterlockedIncrement(&s->finals); SetEvent(s->final_event); }
    return S_OK;
  }
  char cb[16], callf[40];
  snprintf(cb, sizeof cb, "cb%ld", InterlockedIncrement(&cb_counter));
  emit("setstatus.entered", "\"cb\":\"%s\",\"sink\":\"%s\"%s,\"lFlags\":%ld,\"hResult\":%lu,\"errorObject\":%s", cb, s->name,
       call_field(s, callf, sizeof callf), flags, (unsigned long)hr, obj ? "true" : "false");
  const char *outer = in_callback;
  in_callback = cb;
  if (flags == WBEM_STATUS_COMPLETE && s->cancel_in_final) { s->cancel_in_final = 0; do_cancel(s->svc, s->svc_name, s, cb); }
  in_callback = outer;
  emit("setstatus.returned", "\"cb\":\"%s\",\"ret\":0", cb);
  if (flags == WBEM_STATUS_COMPLETE) { InterlockedIncrement(&s->finals); SetEvent(s->final_event); }
  return S_OK;
}

static IWbemObjectSinkVtbl sink_vtbl = {sink_qi, sink_addref, sink_release, sink_indicate, sink_setstatus};

static Sink *new_sink(const char *name, int quiet) {
  Sink *s = calloc(1, sizeof *s);
  if (!s) ExitProcess(2);
  s->iface.lpVtbl = &sink_vtbl;
  s->ref = 1; /* the client's own reference */
  snprintf(s->name, sizeof s->name, "%s", name);
  s->quiet = quiet;
  s->attribute = 1;
  s->indicate_ret = S_OK;
  s->held_entered = CreateEventW(NULL, TRUE, FALSE, NULL);
  s->cancel_returned = CreateEventW(NULL, TRUE, FALSE, NULL);
  s->final_event = CreateEventW(NULL, FALSE, FALSE, NULL);
  if (!quiet) emit("sink.created", "\"sink\":\"%s\"", name);
  return s;
}

static IWbemObjectSink *sink_of(Sink *s) { return s ? &s->iface : NULL; }

/* The client drops its own reference to the sink. */
static void client_release(Sink *s) {
  client_ref = 1;
  IWbemObjectSink_Release(&s->iface);
  client_ref = 0;
}

/* Waits until the sink has seen n final statuses, at most ms; 1 when it did. */
static int wait_finals(Sink *s, LONG n, DWORD ms) {
  double end = now_ms() + ms;
  while (s->finals < n) {
    double left = end - now_ms();
    if (left <= 0) return 0;
    WaitForSingleObject(s->final_event, (DWORD)left + 1);
  }
  return 1;
}

/* Waits for the final status; a call stuck for good (a cancel waiting on itself) is a deadlock. */
static void wait_final_or_deadlock(Sink *s, LONG n, const char *what) {
  if (!wait_finals(s, n, DEADLOCK_WAIT_MS)) fire_deadlock(what);
}

/* ---------------------------------------------------------------- the client's calls */

enum op { OP_QUERY, OP_NOTIFICATION, OP_METHOD, OP_DELETE_INSTANCE, OP_GET_OBJECT, OP_PUT_INSTANCE, OP_INSTANCE_ENUM, OP_CLASS_ENUM };
static const char *op_names[] = {"ExecQueryAsync", "ExecNotificationQueryAsync", "ExecMethodAsync", "DeleteInstanceAsync",
                                 "GetObjectAsync", "PutInstanceAsync", "CreateInstanceEnumAsync", "CreateClassEnumAsync"};

static HRESULT call_async(enum op op, IWbemServices *svc, const char *svc_name, Sink *s, const WCHAR *language, const WCHAR *query, LONG flags) {
  char id[16], qf[600], q[400];
  snprintf(id, sizeof id, "c%ld", InterlockedIncrement(&call_counter));
  if (s && !s->call[0]) snprintf(s->call, sizeof s->call, "%s", id);
  qf[0] = 0;
  if ((op == OP_QUERY || op == OP_NOTIFICATION) && query) {
    json_wide(q, sizeof q, query);
    snprintf(qf, sizeof qf, ",\"query\":\"%s\"", q);
    if (language) {
      size_t k = strlen(qf);
      char l[40];
      json_wide(l, sizeof l, language);
      snprintf(qf + k, sizeof qf - k, ",\"language\":\"%s\"", l);
    }
  }
  char sinkf[24];
  if (s) snprintf(sinkf, sizeof sinkf, "\"%s\"", s->name);
  else snprintf(sinkf, sizeof sinkf, "null");
  emit("call.entered", "\"call\":\"%s\",\"op\":\"%s\",\"services\":\"%s\",\"sink\":%s,\"flags\":%ld%s", id, op_names[op], svc_name, sinkf, flags, qf);
  BSTR bl = language ? SysAllocString(language) : NULL, bq = query ? SysAllocString(query) : NULL;
  IWbemObjectSink *sink = sink_of(s);
  HRESULT hr;
  arm(WATCHDOG_CALL_MS, "the async method did not return");
  switch (op) {
    case OP_QUERY: hr = IWbemServices_ExecQueryAsync(svc, bl, bq, flags, NULL, sink); break;
    case OP_NOTIFICATION: hr = IWbemServices_ExecNotificationQueryAsync(svc, bl, bq, flags, NULL, sink); break;
    case OP_METHOD: {
      BSTR path = SysAllocString(L"Win32_Process"), method = SysAllocString(L"Create");
      hr = IWbemServices_ExecMethodAsync(svc, path, method, flags, NULL, NULL, sink);
      SysFreeString(path);
      SysFreeString(method);
      break;
    }
    case OP_DELETE_INSTANCE: {
      BSTR path = SysAllocString(L"Win32_Process.Handle=\"0\"");
      hr = IWbemServices_DeleteInstanceAsync(svc, path, flags, NULL, sink);
      SysFreeString(path);
      break;
    }
    case OP_GET_OBJECT: {
      BSTR path = SysAllocString(L"Win32_OperatingSystem");
      hr = IWbemServices_GetObjectAsync(svc, path, flags, NULL, sink);
      SysFreeString(path);
      break;
    }
    case OP_PUT_INSTANCE: hr = IWbemServices_PutInstanceAsync(svc, NULL, flags, NULL, sink); break;
    case OP_INSTANCE_ENUM: {
      BSTR cls = SysAllocString(L"Win32_OperatingSystem");
      hr = IWbemServices_CreateInstanceEnumAsync(svc, cls, flags, NULL, sink);
      SysFreeString(cls);
      break;
    }
    case OP_CLASS_ENUM: hr = IWbemServices_CreateClassEnumAsync(svc, NULL, flags, NULL, sink); break;
    default: hr = E_FAIL;
  }
  disarm();
  SysFreeString(bl);
  SysFreeString(bq);
  emit("call.returned", "\"call\":\"%s\",\"hr\":%lu", id, (unsigned long)hr);
  return hr;
}

static HRESULT query(IWbemServices *svc, const char *svc_name, Sink *s, const WCHAR *q, LONG flags) {
  return call_async(OP_QUERY, svc, svc_name, s, L"WQL", q, flags);
}

static void do_cancel(IWbemServices *svc, const char *svc_name, Sink *s, const char *from_cb) {
  char id[16], sinkf[24], fromf[48];
  snprintf(id, sizeof id, "k%ld", InterlockedIncrement(&cancel_counter));
  if (s) snprintf(sinkf, sizeof sinkf, "\"%s\"", s->name);
  else snprintf(sinkf, sizeof sinkf, "null");
  if (from_cb) snprintf(fromf, sizeof fromf, ",\"fromCallback\":\"%s\"", from_cb);
  else fromf[0] = 0;
  emit("cancel.entered", "\"cancel\":\"%s\",\"services\":\"%s\",\"sink\":%s%s", id, svc_name, sinkf, fromf);
  snprintf(pending_cancel, sizeof pending_cancel, "%s", id);
  /* A cancel made on the main thread is watched; one made inside a callback is caught by the
     main thread's bounded wait for the final status. */
  if (!from_cb) arm(WATCHDOG_CALL_MS, "CancelAsyncCall did not return");
  HRESULT hr = IWbemServices_CancelAsyncCall(svc, sink_of(s));
  if (!from_cb) disarm();
  pending_cancel[0] = 0;
  emit("cancel.returned", "\"cancel\":\"%s\",\"hr\":%lu", id, (unsigned long)hr);
  if (s) SetEvent(s->cancel_returned);
}

/*
 * Releases the IWbemServices object after the settle period has passed twice, so that a broker
 * reference kept past it shows (RELEASE-PROMPTLY); `now` releases at once (a release during a call).
 */
static void release_services_when(IWbemServices *svc, const char *svc_name, int now) {
  if (!now) Sleep(2 * SETTLE_MS);
  emit("services.release.entered", "\"services\":\"%s\"", svc_name);
  arm(WATCHDOG_CALL_MS, "IWbemServices::Release did not return");
  ULONG n = IWbemServices_Release(svc);
  disarm();
  emit("services.release.returned", "\"services\":\"%s\",\"count\":%lu", svc_name, (unsigned long)n);
}

static void release_services(IWbemServices *svc, const char *svc_name) { release_services_when(svc, svc_name, 0); }

/* ---------------------------------------------------------------- setup */

static IWbemLocator *locator;

static IWbemServices *connect_cimv2(void) {
  IWbemServices *svc = NULL;
  BSTR ns = SysAllocString(L"ROOT\\CIMV2");
  HRESULT hr = IWbemLocator_ConnectServer(locator, ns, NULL, NULL, NULL, 0, NULL, NULL, &svc);
  SysFreeString(ns);
  if (FAILED(hr) || !svc) {
    fprintf(stderr, "recorder: ConnectServer(ROOT\\CIMV2) failed: 0x%08lx\n", (unsigned long)hr);
    ExitProcess(2);
  }
  CoSetProxyBlanket((IUnknown *)svc, RPC_C_AUTHN_WINNT, RPC_C_AUTHZ_NONE, NULL, RPC_C_AUTHN_LEVEL_CALL, RPC_C_IMP_LEVEL_IMPERSONATE, NULL,
                    EOAC_NONE);
  return svc;
}

/*
 * The control cancel: on a separate IWbemServices object, with nothing held, how long
 * CancelAsyncCall takes when it cancels a query just started (a broker that finishes the query
 * first includes that, and the wake-up of the cancelling thread). The longest of three is kept;
 * it is not part of the trace and scales the waiting bound of the judge.
 */
static void measure_control_latency(void) {
  double worst = 0;
  for (int i = 0; i < 3; i++) {
    IWbemServices *svc = connect_cimv2();
    Sink *s = new_sink("ctl", 1);
    BSTR l = SysAllocString(L"WQL"), q = SysAllocString(ONE_ROW_QUERY);
    arm(WATCHDOG_CALL_MS, "the control query did not return");
    HRESULT hr = IWbemServices_ExecQueryAsync(svc, l, q, 0, NULL, &s->iface);
    disarm();
    SysFreeString(l);
    SysFreeString(q);
    if (SUCCEEDED(hr)) {
      arm(WATCHDOG_CALL_MS, "the control cancel did not return");
      double t0 = now_ms();
      IWbemServices_CancelAsyncCall(svc, &s->iface);
      double dt = now_ms() - t0;
      disarm();
      if (dt > worst) worst = dt;
      wait_finals(s, 1, FINAL_WAIT_MS);
    }
    IWbemServices_Release(svc);
  }
  control_latency_ms = worst;
}

/* ---------------------------------------------------------------- scenarios */

static IWbemServices *S1;

static void scenario_query_complete(void) {
  Sink *a = new_sink("A", 0);
  if (SUCCEEDED(query(S1, "S1", a, ONE_ROW_QUERY, 0))) wait_finals(a, 1, FINAL_WAIT_MS);
  release_services(S1, "S1");
  client_release(a);
}

static void scenario_cancel_after_return(void) {
  Sink *a = new_sink("A", 0);
  if (SUCCEEDED(query(S1, "S1", a, MULTI_ROW_QUERY, 0))) do_cancel(S1, "S1", a, NULL);
  wait_finals(a, 1, FINAL_WAIT_MS);
  release_services(S1, "S1");
  client_release(a);
}

static void scenario_cancel_held_indicate(void) {
  Sink *a = new_sink("A", 0);
  a->hold = HOLD_UNTIL_CANCEL;
  a->hold_ms = LONG_HOLD_MS;
  if (SUCCEEDED(query(S1, "S1", a, MULTI_ROW_QUERY, 0)) && WaitForSingleObject(a->held_entered, FINAL_WAIT_MS) == WAIT_OBJECT_0)
    do_cancel(S1, "S1", a, NULL);
  wait_finals(a, 1, FINAL_WAIT_MS);
  release_services(S1, "S1");
  client_release(a);
}

static void scenario_cancel_after_complete_twice(void) {
  Sink *a = new_sink("A", 0);
  if (SUCCEEDED(query(S1, "S1", a, ONE_ROW_QUERY, 0))) wait_finals(a, 1, FINAL_WAIT_MS);
  Sleep(2 * SETTLE_MS);
  do_cancel(S1, "S1", a, NULL);
  do_cancel(S1, "S1", a, NULL);
  release_services(S1, "S1");
  client_release(a);
}

static void scenario_cancel_null(void) {
  Sink *a = new_sink("A", 0);
  if (SUCCEEDED(query(S1, "S1", a, ONE_ROW_QUERY, 0))) {
    do_cancel(S1, "S1", NULL, NULL);
    wait_finals(a, 1, FINAL_WAIT_MS);
  }
  release_services(S1, "S1");
  client_release(a);
}

static void scenario_cancel_unused_sink(void) {
  Sink *a = new_sink("A", 0), *b = new_sink("B", 0);
  a->hold = HOLD_FIXED;
  a->hold_ms = LONG_HOLD_MS;
  if (SUCCEEDED(query(S1, "S1", a, MULTI_ROW_QUERY, 0)) && WaitForSingleObject(a->held_entered, FINAL_WAIT_MS) == WAIT_OBJECT_0)
    do_cancel(S1, "S1", b, NULL);
  wait_finals(a, 1, FINAL_WAIT_MS);
  release_services(S1, "S1");
  client_release(a);
  client_release(b);
}

static void scenario_cancel_other_calls_sink(void) {
  IWbemServices *S2 = connect_cimv2();
  Sink *a = new_sink("A", 0), *b = new_sink("B", 0);
  a->hold = HOLD_FIXED;
  a->hold_ms = LONG_HOLD_MS;
  if (SUCCEEDED(query(S2, "S2", b, ONE_ROW_QUERY, 0))) wait_finals(b, 1, FINAL_WAIT_MS);
  if (SUCCEEDED(query(S1, "S1", a, MULTI_ROW_QUERY, 0)) && WaitForSingleObject(a->held_entered, FINAL_WAIT_MS) == WAIT_OBJECT_0)
    do_cancel(S1, "S1", b, NULL);
  wait_finals(a, 1, FINAL_WAIT_MS);
  release_services(S1, "S1");
  release_services(S2, "S2");
  client_release(a);
  client_release(b);
}

static void scenario_shared_sink_two_calls(void) {
  IWbemServices *S2 = connect_cimv2();
  Sink *s = new_sink("S", 0);
  s->attribute = 0; /* a black-box client cannot tell which call a callback on a shared sink is for */
  s->hold = HOLD_FIXED;
  s->hold_ms = SHORT_HOLD_MS;
  LONG accepted = 0;
  if (SUCCEEDED(query(S1, "S1", s, ONE_ROW_QUERY, 0))) accepted++;
  if (SUCCEEDED(query(S1, "S1", s, THIRD_QUERY, 0))) accepted++;
  if (SUCCEEDED(query(S2, "S2", s, OTHER_QUERY, 0))) accepted++;
  wait_finals(s, accepted, FINAL_WAIT_MS);
  release_services(S1, "S1");
  release_services(S2, "S2");
  client_release(s);
}

static void scenario_second_call_while_running(void) {
  Sink *a = new_sink("A", 0), *b = new_sink("B", 0);
  a->hold = HOLD_FIXED;
  a->hold_ms = SHORT_HOLD_MS;
  if (SUCCEEDED(query(S1, "S1", a, ONE_ROW_QUERY, 0))) {
    if (SUCCEEDED(query(S1, "S1", b, ONE_ROW_QUERY, 0))) wait_finals(b, 1, FINAL_WAIT_MS);
    wait_finals(a, 1, FINAL_WAIT_MS);
  }
  release_services(S1, "S1");
  client_release(a);
  client_release(b);
}

static void scenario_second_call_after_finish(void) {
  Sink *a = new_sink("A", 0), *b = new_sink("B", 0);
  if (SUCCEEDED(query(S1, "S1", a, ONE_ROW_QUERY, 0))) wait_finals(a, 1, FINAL_WAIT_MS);
  if (SUCCEEDED(query(S1, "S1", b, ONE_ROW_QUERY, 0))) wait_finals(b, 1, FINAL_WAIT_MS);
  release_services(S1, "S1");
  client_release(a);
  client_release(b);
}

static void scenario_cancel_in_callback(int in_final) {
  Sink *a = new_sink("A", 0);
  a->svc = S1;
  a->svc_name = "S1";
  if (in_final) a->cancel_in_final = 1;
  else a->cancel_in_indicate = 1;
  if (SUCCEEDED(query(S1, "S1", a, ONE_ROW_QUERY, 0)))
    wait_final_or_deadlock(a, 1, in_final ? "CancelAsyncCall from inside SetStatus did not return" : "CancelAsyncCall from inside Indicate did not return");
  release_services(S1, "S1");
  client_release(a);
}

static void scenario_notification_cancel(void) {
  Sink *a = new_sink("A", 0);
  if (SUCCEEDED(call_async(OP_NOTIFICATION, S1, "S1", a, L"WQL", L"SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Win32_Process'", 0))) {
    do_cancel(S1, "S1", a, NULL);
    wait_finals(a, 1, FINAL_WAIT_MS);
  }
  release_services(S1, "S1");
  client_release(a);
}

static void scenario_notification_ends_ok(void) {
  Sink *a = new_sink("A", 0);
  if (SUCCEEDED(call_async(OP_NOTIFICATION, S1, "S1", a, L"WQL", L"SELECT * FROM __InstanceCreationEvent", 0))) wait_finals(a, 1, FINAL_WAIT_MS);
  release_services(S1, "S1");
  client_release(a);
}

static void scenario_send_status(void) {
  Sink *a = new_sink("A", 0);
  if (SUCCEEDED(query(S1, "S1", a, ONE_ROW_QUERY, WBEM_FLAG_SEND_STATUS))) wait_finals(a, 1, FINAL_WAIT_MS);
  release_services(S1, "S1");
  client_release(a);
}

static void scenario_indicate_fails(void) {
  Sink *a = new_sink("A", 0);
  a->indicate_ret = WBEM_E_FAILED;
  if (SUCCEEDED(query(S1, "S1", a, MULTI_ROW_QUERY, 0))) wait_finals(a, 1, FINAL_WAIT_MS);
  release_services(S1, "S1");
  client_release(a);
}

static void scenario_unsecured_apartment(void) {
  IUnsecuredApartment *ua = NULL;
  HRESULT hr = CoCreateInstance(&CLSID_UnsecuredApartment, NULL, CLSCTX_LOCAL_SERVER, &IID_IUnsecuredApartment, (void **)&ua);
  if (FAILED(hr) || !ua) {
    fprintf(stderr, "recorder: unsecured-apartment: IUnsecuredApartment is not available (CoCreateInstance 0x%08lx)\n", (unsigned long)hr);
    ExitProcess(3);
  }
  Sink *inner = new_sink("A", 0);
  IUnknown *stub = NULL;
  IWbemObjectSink *wrapper = NULL;
  client_ref = 1;
  hr = IUnsecuredApartment_CreateObjectStub(ua, (IUnknown *)&inner->iface, &stub);
  if (SUCCEEDED(hr)) hr = IUnknown_QueryInterface(stub, &IID_IWbemObjectSink, (void **)&wrapper);
  client_ref = 0;
  if (FAILED(hr) || !wrapper) {
    fprintf(stderr, "recorder: unsecured-apartment: CreateObjectStub failed: 0x%08lx\n", (unsigned long)hr);
    ExitProcess(3);
  }
  /* The wrapper is COM's object: its counts are not seen; the inner sink's are. */
  emit("sink.created", "\"sink\":\"W\",\"wraps\":\"A\"");
  Sink w;
  memset(&w, 0, sizeof w);
  snprintf(w.name, sizeof w.name, "W");
  inner->hold = HOLD_UNTIL_CANCEL;
  inner->hold_ms = LONG_HOLD_MS;
  char id[16];
  snprintf(id, sizeof id, "c%ld", InterlockedIncrement(&call_counter));
  snprintf(inner->call, sizeof inner->call, "%s", id);
  emit("call.entered", "\"call\":\"%s\",\"op\":\"ExecQueryAsync\",\"services\":\"S1\",\"sink\":\"W\",\"flags\":0,\"query\":\"%s\",\"language\":\"WQL\"", id,
       "SELECT * FROM Win32_LogicalDisk");
  BSTR l = SysAllocString(L"WQL"), q = SysAllocString(MULTI_ROW_QUERY);
  hr = IWbemServices_ExecQueryAsync(S1, l, q, 0, NULL, wrapper);
  emit("call.returned", "\"call\":\"%s\",\"hr\":%lu", id, (unsigned long)hr);
  if (SUCCEEDED(hr) && WaitForSingleObject(inner->held_entered, FINAL_WAIT_MS) == WAIT_OBJECT_0) {
    do_cancel(S1, "S1", inner, NULL); /* the inner sink: must cancel nothing */
    char kid[16];
    snprintf(kid, sizeof kid, "k%ld", InterlockedIncrement(&cancel_counter));
    emit("cancel.entered", "\"cancel\":\"%s\",\"services\":\"S1\",\"sink\":\"W\"", kid);
    arm(WATCHDOG_CALL_MS, "CancelAsyncCall did not return");
    HRESULT chr = IWbemServices_CancelAsyncCall(S1, wrapper);
    disarm();
    emit("cancel.returned", "\"cancel\":\"%s\",\"hr\":%lu", kid, (unsigned long)chr);
    SetEvent(inner->cancel_returned);
  }
  wait_finals(inner, 1, FINAL_WAIT_MS);
  release_services(S1, "S1");
  IWbemObjectSink_Release(wrapper);
  IUnknown_Release(stub);
  IUnsecuredApartment_Release(ua);
  client_release(inner);
}

static void scenario_start_syntax_error(void) {
  Sink *a = new_sink("A", 0);
  if (SUCCEEDED(query(S1, "S1", a, L"SELEC * FRM Win32_OperatingSystem", 0))) wait_finals(a, 1, FINAL_WAIT_MS);
  release_services(S1, "S1");
  client_release(a);
}

static void scenario_start_null_sink(void) {
  query(S1, "S1", NULL, ONE_ROW_QUERY, 0);
  release_services(S1, "S1");
}

static void scenario_start_null_query(void) {
  Sink *a = new_sink("A", 0);
  if (SUCCEEDED(call_async(OP_QUERY, S1, "S1", a, NULL, NULL, 0))) wait_finals(a, 1, SETTLE_MS * 2);
  release_services(S1, "S1");
  client_release(a);
}

static void scenario_start_unsupported(void) {
  static const enum op ops[] = {OP_METHOD, OP_DELETE_INSTANCE, OP_GET_OBJECT, OP_PUT_INSTANCE, OP_INSTANCE_ENUM, OP_CLASS_ENUM};
  static const char *names[] = {"A", "B", "C", "D", "E", "F"};
  Sink *s[6];
  for (int i = 0; i < 6; i++) {
    s[i] = new_sink(names[i], 0);
    if (SUCCEEDED(call_async(ops[i], S1, "S1", s[i], NULL, NULL, 0))) wait_finals(s[i], 1, FINAL_WAIT_MS);
  }
  release_services(S1, "S1");
  for (int i = 0; i < 6; i++) client_release(s[i]);
}

static void scenario_services_released_during_call(void) {
  Sink *a = new_sink("A", 0);
  a->hold = HOLD_FIXED;
  a->hold_ms = LONG_HOLD_MS;
  if (SUCCEEDED(query(S1, "S1", a, MULTI_ROW_QUERY, 0))) WaitForSingleObject(a->held_entered, FINAL_WAIT_MS);
  release_services_when(S1, "S1", 1);
  wait_finals(a, 1, FINAL_WAIT_MS);
  client_release(a);
}


struct scenario {
  const char *name;
  void (*run)(void);
  int no_security;
};

static void run_no_security(void) {
  Sink *a = new_sink("A", 0);
  if (SUCCEEDED(query(S1, "S1", a, ONE_ROW_QUERY, 0))) wait_finals(a, 1, FINAL_WAIT_MS);
  release_services(S1, "S1");
  client_release(a);
}
static void run_cancel_in_indicate(void) { scenario_cancel_in_callback(0); }
static void run_cancel_in_setstatus(void) { scenario_cancel_in_callback(1); }

static const struct scenario scenarios[] = {
  {"query-complete", scenario_query_complete, 0},
  {"cancel-after-return", scenario_cancel_after_return, 0},
  {"cancel-held-indicate", scenario_cancel_held_indicate, 0},
  {"cancel-after-complete-twice", scenario_cancel_after_complete_twice, 0},
  {"cancel-null", scenario_cancel_null, 0},
  {"cancel-unused-sink", scenario_cancel_unused_sink, 0},
  {"cancel-other-calls-sink", scenario_cancel_other_calls_sink, 0},
  {"shared-sink-two-calls", scenario_shared_sink_two_calls, 0},
  {"second-call-while-running", scenario_second_call_while_running, 0},
  {"second-call-after-finish", scenario_second_call_after_finish, 0},
  {"cancel-in-indicate", run_cancel_in_indicate, 0},
  {"cancel-in-setstatus", run_cancel_in_setstatus, 0},
  {"notification-cancel", scenario_notification_cancel, 0},
  {"notification-ends-ok", scenario_notification_ends_ok, 0},
  {"send-status", scenario_send_status, 0},
  {"indicate-fails", scenario_indicate_fails, 0},
  {"no-security", run_no_security, 1},
  {"unsecured-apartment", scenario_unsecured_apartment, 0},
  {"start-syntax-error", scenario_start_syntax_error, 0},
  {"start-null-sink", scenario_start_null_sink, 0},
  {"start-null-query", scenario_start_null_query, 0},
  {"start-unsupported", scenario_start_unsupported, 0},
  {"services-released-during-call", scenario_services_released_during_call, 0},
};

int main(int argc, char **argv) {
  if (argc != 2) {
    fputs("usage: recorder SCENARIO | --list\n", stderr);
    return 2;
  }
  size_t n = sizeof scenarios / sizeof scenarios[0];
  if (strcmp(argv[1], "--list") == 0) {
    for (size_t i = 0; i < n; i++) printf("%s\n", scenarios[i].name);
    return 0;
  }
  const struct scenario *sc = NULL;
  for (size_t i = 0; i < n; i++) if (strcmp(argv[1], scenarios[i].name) == 0) sc = &scenarios[i];
  if (!sc) {
    fprintf(stderr, "recorder: no scenario named %s (recorder --list shows them)\n", argv[1]);
    return 2;
  }
  scenario_name = sc->name;
  no_security = sc->no_security;
  InitializeCriticalSection(&trace_lock);
  QueryPerformanceFrequency(&t_freq);
  QueryPerformanceCounter(&t_start);
  HANDLE wd = CreateThread(NULL, 0, watchdog_thread, NULL, 0, NULL);
  if (!wd) return 2;

  /* The recorder's threads are MTA: callbacks come straight from the broker's threads. */
  HRESULT hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
  if (FAILED(hr)) { fprintf(stderr, "recorder: CoInitializeEx failed: 0x%08lx\n", (unsigned long)hr); return 2; }
  if (!no_security) {
    hr = CoInitializeSecurity(NULL, -1, NULL, NULL, RPC_C_AUTHN_LEVEL_DEFAULT, RPC_C_IMP_LEVEL_IMPERSONATE, NULL, EOAC_NONE, NULL);
    if (FAILED(hr)) { fprintf(stderr, "recorder: CoInitializeSecurity failed: 0x%08lx\n", (unsigned long)hr); return 2; }
  }
  hr = CoCreateInstance(&CLSID_WbemLocator, NULL, CLSCTX_INPROC_SERVER, &IID_IWbemLocator, (void **)&locator);
  if (FAILED(hr)) { fprintf(stderr, "recorder: CoCreateInstance(WbemLocator) failed: 0x%08lx\n", (unsigned long)hr); return 2; }
  measure_control_latency();
  S1 = connect_cimv2();
  if (no_security) emit("marker.no-security", "");
  sc->run();
  finish();
  return 0;
}
