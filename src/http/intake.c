/* The intake: Grappe's own libmicrohttpd daemon and access handler, in place of Ulfius's.
   Ulfius's handler reads a whole body into memory, and runs its form parser on
   multipart/form-data and urlencoded bodies, before any of our code sees the request: an
   anonymous 60 MB upload was buffered whole to be refused with 401, and a form body without
   a usable boundary dropped the connection with no answer. Here the router judges a request
   from its request line and headers (src/server.c: route, method, rate limit, key, declared
   length, body type), and a refusal is answered before the first byte of the body: no
   `100 Continue` is sent and libmicrohttpd closes the connection after the answer. A body
   is kept only up to the route's limit as it arrives; past it, the rest is read and dropped
   (a chunked body has no declared length), and the answer is 413.

   Ulfius's request and response structures stay what the handlers work on (its maps and
   ulfius_set_*_response); this file fills the one and turns the other into libmicrohttpd's
   response, as Ulfius's own dispatcher did: the body (or the NDJSON stream's callback, which
   has libmicrohttpd's reader shape) and every header, with `Connection: close` added once
   the server is stopping. Knows Ulfius and libmicrohttpd, not SQL. Ulfius's structures are
   allocated with orcania's o_* functions (Ulfius frees them with o_free), which abort when
   memory runs out, as xmalloc does (src/main.c sets them). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>
#include <orcania.h>
#include <yder.h>

#include "config.h"
#include "http.h"
#include "mem.h"

/* One request, from its request line to the end of its answer. */
struct intake {
  struct _u_request req;
  struct _u_response resp;
  struct ctx c;
  bool metrics_listener;
  bool begun;                  /* the router has seen the headers */
  bool has_body;               /* Content-Length > 0, or a Transfer-Encoding */
  bool keep;                   /* the handler reads the body (else it is dropped as it arrives) */
  bool too_large;              /* the body passed the limit: what follows is dropped */
  bool answered;               /* the router answered (early or at the end) */
  bool early;                  /* answered before its body was read */
  bool parked;                 /* suspended until the feed changes (src/http/feedwait.c) */
  unsigned long long declared; /* Content-Length; ULLONG_MAX when the length is not declared */
  size_t limit;                /* the most the route takes */
  size_t capacity;             /* of req.binary_body */
  unsigned long long dropped;  /* bytes of the body read and not kept */
};

/* Requests begun (their request line read) and not finished (answer sent, stream included,
   or connection gone): a graceful stop waits for them. */
static _Atomic int in_flight;

int intake_requests(void) { return in_flight; }

/* ---- lingering close ----
   A refusal before the body closes the connection; a client that sends its body without
   waiting for `100 Continue` is still sending it. Closing a socket with unread data makes
   the kernel reset the connection, and a client still writing then sees the reset, not the
   answer (Python's http.client, for one). So, as nginx and Apache do, the socket of such a
   connection is kept a little after libmicrohttpd has closed its descriptor: what arrives is
   read and dropped (nothing is kept) until the client closes, for at most LINGER_MS, the
   declared length of the body, LINGER_SOCKETS sockets at once. */
#define LINGER_SOCKETS 1024
#define LINGER_MS 5000

static struct {
  pthread_mutex_t lock;
  pthread_t thread;
  bool running;
  volatile bool stop;
  int epfd;
  struct {
    int fd;
    long deadline;
    unsigned long long budget;
  } slot[LINGER_SOCKETS];
} linger = {.lock = PTHREAD_MUTEX_INITIALIZER, .epfd = -1};

static long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void linger_close(int i) {
  epoll_ctl(linger.epfd, EPOLL_CTL_DEL, linger.slot[i].fd, NULL);
  close(linger.slot[i].fd);
  linger.slot[i].fd = -1;
}

/* The loop reads outside the lock: only it closes a slot or changes its budget, and
   linger_add fills only a free slot. */
static void *linger_loop(void *arg) {
  (void)arg;
  static char sink[65536];
  struct epoll_event ev[64];
  while (!linger.stop) {
    int n = epoll_wait(linger.epfd, ev, 64, 100);
    for (int k = 0; k < n; k++) {
      int i = (int)ev[k].data.u32;
      pthread_mutex_lock(&linger.lock);
      int fd = linger.slot[i].fd;
      unsigned long long budget = linger.slot[i].budget;
      pthread_mutex_unlock(&linger.lock);
      if (fd < 0) continue;
      /* At most 1 MiB a turn, so that one fast sender does not hold up the others. */
      ssize_t got = 0;
      for (int turn = 0; turn < 16 && budget > 0 && (got = read(fd, sink, sizeof sink)) > 0; turn++)
        budget = (unsigned long long)got < budget ? budget - (unsigned long long)got : 0;
      bool done = budget == 0 || got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
      pthread_mutex_lock(&linger.lock);
      linger.slot[i].budget = budget;
      if (done) linger_close(i); /* the client closed, sent all it had to, or failed */
      pthread_mutex_unlock(&linger.lock);
    }
    long now = now_ms();
    pthread_mutex_lock(&linger.lock);
    for (int i = 0; i < LINGER_SOCKETS; i++)
      if (linger.slot[i].fd >= 0 && now > linger.slot[i].deadline) linger_close(i);
    pthread_mutex_unlock(&linger.lock);
  }
  return NULL;
}

static bool linger_start(void) {
  if (linger.running) return true;
  for (int i = 0; i < LINGER_SOCKETS; i++) linger.slot[i].fd = -1;
  linger.stop = false;
  linger.epfd = epoll_create1(EPOLL_CLOEXEC);
  if (linger.epfd < 0) return false;
  if (pthread_create(&linger.thread, NULL, linger_loop, NULL) != 0) {
    close(linger.epfd);
    linger.epfd = -1;
    return false;
  }
  linger.running = true;
  return true;
}

/* Keeps the socket of conn open (a duplicate of its descriptor) to drop up to budget bytes. */
static void linger_add(struct MHD_Connection *conn, unsigned long long budget) {
  const union MHD_ConnectionInfo *ci =
    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
  if (!ci || !linger.running) return;
  pthread_mutex_lock(&linger.lock);
  int i = 0;
  while (i < LINGER_SOCKETS && linger.slot[i].fd >= 0) i++;
  if (i < LINGER_SOCKETS) {
    int fd = fcntl(ci->connect_fd, F_DUPFD_CLOEXEC, 0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u32 = (uint32_t)i};
    if (fd >= 0 && epoll_ctl(linger.epfd, EPOLL_CTL_ADD, fd, &ev) == 0) {
      linger.slot[i].fd = fd;
      linger.slot[i].deadline = now_ms() + LINGER_MS;
      linger.slot[i].budget = budget;
    } else if (fd >= 0) {
      close(fd);
    }
  }
  pthread_mutex_unlock(&linger.lock);
}

void intake_free(void) {
  if (!linger.running) return;
  linger.stop = true;
  pthread_join(linger.thread, NULL);
  for (int i = 0; i < LINGER_SOCKETS; i++)
    if (linger.slot[i].fd >= 0) linger_close(i);
  close(linger.epfd);
  linger.epfd = -1;
  linger.running = false;
}

/* ---- a request's beginning and end ---- */

/* libmicrohttpd 0.9.75 parses the query string's arguments into the connection's memory
   (MHD_OPTION_CONNECTION_MEMORY_LIMIT) right after this callback; past some 300 of them it
   runs out and gives the request up without an answer or its completion callback: the
   connection hangs until its timeout and the request's state is never freed (found by
   tests/http/test_http_fuzz.py). Grappe reads the query from its own copy of the URL, made
   here, so the arguments libmicrohttpd keeps are cut short, in the request line it is about
   to parse (its own buffer, which it hands over as const). */
#define MHD_ARGUMENTS_KEPT 64

static void *request_begun(void *cls, const char *uri, struct MHD_Connection *conn) {
  (void)conn;
  in_flight++;
  struct intake *in = xcalloc(1, sizeof *in);
  in->metrics_listener = cls != NULL;
  bool ok = ulfius_init_request(&in->req) == U_OK;
  ok = ulfius_init_response(&in->resp) == U_OK && ok;
  const char *q = strchr(uri, '?');
  in->req.http_url = o_strdup(uri);
  in->req.url_path = q ? o_strndup(uri, (size_t)(q - uri)) : o_strdup(uri);
  if (!ok) {
    ulfius_clean_request(&in->req);
    ulfius_clean_response(&in->resp);
    free(in);
    return NULL; /* the access handler refuses it: the connection is closed */
  }
  char *args = strchr(uri, '?');
  for (int n = 0; args && *args; args++)
    if (*args == '&' && ++n == MHD_ARGUMENTS_KEPT) {
      *args = '\0';
      break;
    }
  return in;
}

static void request_finished(void *cls, struct MHD_Connection *conn, void **con_cls,
                             enum MHD_RequestTerminationCode toe) {
  (void)cls;
  struct intake *in = *con_cls;
  *con_cls = NULL;
  in_flight--;
  if (!in) return;
  if (in->begun && !in->answered) router_end(&in->c, false); /* the client went away */
  if (in->early && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
    linger_add(conn, in->declared != ULLONG_MAX ? in->declared : in->limit);
  /* A stream libmicrohttpd never took is ours to free. */
  if (in->resp.stream_callback_free && in->resp.stream_user_data)
    in->resp.stream_callback_free(in->resp.stream_user_data);
  ulfius_clean_request(&in->req);
  ulfius_clean_response(&in->resp);
  free(in);
}

/* ---- the access handler ---- */

/* Request headers into Ulfius's map; a repeated header's values joined with commas. */
static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value) {
  (void)kind;
  struct _u_map *map = cls;
  if (!key) return MHD_YES;
  const char *had = u_map_get(map, key);
  if (!had) return u_map_put(map, key, value ? value : "") == U_OK ? MHD_YES : MHD_NO;
  char *joined = msprintf("%s,%s", had, value ? value : "");
  int rc = joined ? u_map_put(map, key, joined) : U_ERROR_MEMORY;
  o_free(joined);
  return rc == U_OK ? MHD_YES : MHD_NO;
}

/* Ulfius's response as libmicrohttpd's, queued on conn. */
static enum MHD_Result answer(struct intake *in, struct MHD_Connection *conn) {
  struct _u_response *r = &in->resp;
  struct MHD_Response *m;
  if (r->stream_callback) {
    m = MHD_create_response_from_callback(r->stream_size, r->stream_block_size, r->stream_callback,
                                          r->stream_user_data, r->stream_callback_free);
    if (m) { /* freed with m */
      r->stream_callback_free = NULL;
      r->stream_user_data = NULL;
    }
  } else {
    /* The body is handed over, not copied; an empty one is a NULL of length 0. */
    m = MHD_create_response_from_buffer_with_free_callback(r->binary_body_length, r->binary_body,
                                                           o_free);
    if (m) {
      r->binary_body = NULL;
      r->binary_body_length = 0;
    }
  }
  if (!m) {
    y_log_message(Y_LOG_LEVEL_ERROR, "http/intake - %s cannot build the answer", in->c.request_id);
    return MHD_NO;
  }
  const char **names = u_map_enum_keys(r->map_header), **values = u_map_enum_values(r->map_header);
  for (size_t i = 0; names && values && names[i]; i++)
    if (MHD_add_response_header(m, names[i], values[i]) != MHD_YES)
      y_log_message(Y_LOG_LEVEL_ERROR, "http/intake - %s header %s refused", in->c.request_id,
                    names[i]);
  /* Stopping: this connection takes no other request (libmicrohttpd closes it after this). */
  if (app.stopping) MHD_add_response_header(m, MHD_HTTP_HEADER_CONNECTION, "close");
  enum MHD_Result ok = MHD_queue_response(conn, (unsigned int)r->status, m);
  MHD_destroy_response(m);
  return ok;
}

/* The router's answer: recorded, then queued. */
static enum MHD_Result finish(struct intake *in, struct MHD_Connection *conn) {
  in->answered = true;
  router_end(&in->c, true);
  return answer(in, conn);
}

/* The handler's outcome: its answer, or a long poll parked (c.parked: no answer yet). The
   connection is then suspended (libmicrohttpd polls it no more) and handed to feedwait,
   which resumes it; libmicrohttpd then calls the access handler again, which runs the
   handler again (router_resume). */
static enum MHD_Result settle(struct intake *in, struct MHD_Connection *conn) {
  if (in->c.parked && !in->c.status) {
    in->parked = true;
    MHD_suspend_connection(conn);
    feedwait_park(conn, in->c.park_until, in->c.park_generation);
    return MHD_YES;
  }
  return finish(in, conn);
}

/* First call: the request line and headers are in, none of the body. */
static enum MHD_Result headers_in(struct intake *in, struct MHD_Connection *conn,
                                  const char *method, const char *version) {
  in->begun = true;
  struct _u_request *req = &in->req;
  req->http_verb = o_strdup(method);
  req->http_protocol = o_strdup(version);
  req->client_address = o_malloc(sizeof(struct sockaddr_storage));
  memset(req->client_address, 0, sizeof(struct sockaddr_storage));
  const union MHD_ConnectionInfo *ci =
    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (ci && ci->client_addr) {
    size_t n = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                      : sizeof(struct sockaddr_in);
    memcpy(req->client_address, ci->client_addr, n);
  }
  MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header, req->map_header);
  router_begin(&in->c, req, &in->resp, in->metrics_listener);

  /* libmicrohttpd has checked the framing: a Content-Length is a number (else it answered
     400 itself), and a Transfer-Encoding makes the length unknown. */
  const char *te =
    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
  const char *cl =
    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
  in->declared = te ? ULLONG_MAX : cl ? strtoull(cl, NULL, 10) : 0;
  in->has_body = in->declared > 0;
  if (!in->has_body) return MHD_YES; /* judged with the final call, at once */
  if (router_headers(&in->c, true, in->declared, &in->limit, &in->keep)) return MHD_YES;
  /* Refused before the body: libmicrohttpd sends no 100 Continue, reads none of the body
     and closes the connection after the answer. */
  in->early = true;
  return finish(in, conn);
}

/* A piece of the body: kept up to the limit. Past it (a chunked body: its length was not
   declared), or when the handler reads no body, it is read and dropped. */
static enum MHD_Result body_in(struct intake *in, const char *data, size_t n) {
  struct _u_request *req = &in->req;
  if (!in->too_large && in->dropped + req->binary_body_length + n > in->limit) {
    in->too_large = true;
    in->dropped += req->binary_body_length;
    o_free(req->binary_body);
    req->binary_body = NULL;
    req->binary_body_length = in->capacity = 0;
  }
  if (in->too_large || !in->keep) {
    in->dropped += n;
    /* Read on past twice the limit, the body is cut: the connection is closed. */
    return in->dropped <= 2 * (unsigned long long)in->limit ? MHD_YES : MHD_NO;
  }
  size_t need = req->binary_body_length + n;
  if (need > in->capacity) {
    /* Grown by doubling as the bytes come (not to a declared length before it is sent). */
    size_t cap = in->capacity ? in->capacity : 16384;
    while (cap < need) cap *= 2;
    if (cap > in->limit) cap = in->limit;
    if (in->declared != ULLONG_MAX && cap > in->declared) cap = (size_t)in->declared;
    req->binary_body = o_realloc(req->binary_body, cap);
    in->capacity = cap;
  }
  memcpy((char *)req->binary_body + req->binary_body_length, data, n);
  req->binary_body_length = need;
  return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls) {
  (void)cls, (void)url;
  struct intake *in = *con_cls;
  if (!in) return MHD_NO;
  if (!in->begun) return headers_in(in, conn, method, version);
  if (in->parked) { /* resumed: the handler runs again */
    in->parked = false;
    router_resume(&in->c);
    return settle(in, conn);
  }
  if (*upload_data_size) {
    size_t n = *upload_data_size;
    *upload_data_size = 0;
    return body_in(in, upload_data, n);
  }
  /* The final call: the whole request is in. */
  if (!in->has_body && !router_headers(&in->c, false, 0, &in->limit, &in->keep))
    return finish(in, conn);
  router_body(&in->c, in->too_large);
  return settle(in, conn);
}

/* ---- listeners ---- */

struct MHD_Daemon *intake_listen(const struct config *cfg, const struct sockaddr_in *addr,
                                 bool metrics_listener) {
  static char metrics_mark; /* the URI callback's cls: non-NULL on the metrics listener */
  if (!linger_start()) return NULL;
  int limit = metrics_listener && cfg->max_connections > 64 ? 64 : cfg->max_connections;
  struct MHD_OptionItem ops[] = {
    {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)request_finished, NULL},
    {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)request_begun, metrics_listener ? &metrics_mark : NULL},
    {MHD_OPTION_SOCK_ADDR, 0, (void *)addr},
    {MHD_OPTION_THREAD_POOL_SIZE, metrics_listener ? 1 : cfg->threads, NULL},
    /* Slow clients: a connection idle this long is closed (a request trickled byte by byte
       or a body never finished holds no worker meanwhile: the workers are event-driven) and
       the connections, in all and per address, are bounded. */
    {MHD_OPTION_CONNECTION_TIMEOUT, cfg->connection_timeout_s, NULL},
    {MHD_OPTION_CONNECTION_LIMIT, limit, NULL},
    {MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_connections_per_ip, NULL},
    {MHD_OPTION_END, 0, NULL},
  };
  /* poll(), not epoll: libmicrohttpd 0.9.75's MHD_quiesce_daemon removes the listening socket
     from each worker's epoll set while that worker, if awake, may remove it too, and the
     loser of that race aborts the process ("Failed to remove listen FD from epoll set").
     With poll() quiescing only raises a flag that the workers read. Each worker polls its
     own connections (the limit over the threads), which costs no more at these sizes. */
  unsigned int flags =
    MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
  return MHD_start_daemon(flags, ntohs(addr->sin_port), NULL, NULL, on_request, NULL,
                          MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
}

/* The listening socket is shut down, not closed: the kernel then refuses new connections
   (and resets those waiting in the backlog) at once, while its descriptor stays valid until
   MHD_stop_daemon, as libmicrohttpd requires of a quiesced socket that its threads may still
   hold: the caller closes it after intake_stop. */
int intake_quiesce(struct MHD_Daemon *d) {
  MHD_socket s = d ? MHD_quiesce_daemon(d) : MHD_INVALID_SOCKET;
  if (s == MHD_INVALID_SOCKET) return -1;
  (void)shutdown(s, SHUT_RDWR);
  return s;
}

void intake_stop(struct MHD_Daemon *d) {
  if (d) MHD_stop_daemon(d);
}
