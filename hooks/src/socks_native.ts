// The redirect's native half (net.ts): inside the replaced connect(), connect the app's socket to
// privmon's SOCKS5 listener and write greeting, credentials and request in one write, with the
// socket's blocking mode restored. In C because this runs on every connection the app opens and
// the same steps in the agent's JavaScript cost more than the connection itself
// (docs/performance.md, "The connect() redirect").

const SOURCE = `
extern int connect_fn (int fd, const void * sa, unsigned int len);
extern int fcntl_fn (int fd, int cmd, long arg);
extern long send_fn (int fd, const void * buf, unsigned long n, int flags);
extern int getsockname_fn (int fd, void * sa, unsigned int * len);

#define F_GETFL 3
#define F_SETFL 4
#define O_NONBLOCK 0x800
#define MSG_NOSIGNAL 0x4000
#define AF_INET 2
#define NULL ((void *) 0)

static int
put_number (unsigned char * out, unsigned long value)
{
  unsigned char digits[24];
  int n = 0, i;
  do
  {
    digits[n++] = '0' + (value % 10);
    value /= 10;
  }
  while (value != 0);
  for (i = 0; i != n; i++)
    out[i] = digits[n - 1 - i];
  return n;
}

static int
is_v4_mapped (const unsigned char * a)
{
  int i;
  for (i = 0; i != 10; i++)
    if (a[i] != 0)
      return 0;
  return a[10] == 0xff && a[11] == 0xff;
}

/* RFC 1928 with RFC 1929 credentials "privmon:PID:SEQ" (SEQ: the connection's net.connect event),
 * so the proxy knows whose connection it is even where it sees another client port (a phone
 * through adb reverse); CONNECT to the host name when one is given, else to the address (an
 * IPv4-mapped IPv6 address as IPv4). */
static int
build_request (unsigned char * out, const unsigned char * dest, const char * host, unsigned long pid,
    unsigned long seq)
{
  int n = 0, user_at, i;
  out[n++] = 5; out[n++] = 1; out[n++] = 2;
  out[n++] = 1;
  user_at = n++;
  out[n++] = 'p'; out[n++] = 'r'; out[n++] = 'i'; out[n++] = 'v'; out[n++] = 'm'; out[n++] = 'o';
  out[n++] = 'n'; out[n++] = ':';
  n += put_number (out + n, pid);
  out[n++] = ':';
  n += put_number (out + n, seq);
  out[user_at] = n - user_at - 1;
  out[n++] = 1; out[n++] = 'x';
  out[n++] = 5; out[n++] = 1; out[n++] = 0;
  if (host != NULL && host[0] != 0)
  {
    int length_at;
    out[n++] = 3;
    length_at = n++;
    for (i = 0; host[i] != 0 && i != 255; i++)
      out[n++] = host[i] & 0x7f;
    out[length_at] = i;
  }
  else if ((dest[0] | (dest[1] << 8)) == AF_INET)
  {
    out[n++] = 1;
    for (i = 0; i != 4; i++)
      out[n++] = dest[4 + i];
  }
  else if (is_v4_mapped (dest + 8))
  {
    out[n++] = 1;
    for (i = 0; i != 4; i++)
      out[n++] = dest[8 + 12 + i];
  }
  else
  {
    out[n++] = 4;
    for (i = 0; i != 16; i++)
      out[n++] = dest[8 + i];
  }
  out[n++] = dest[2];
  out[n++] = dest[3];
  return n;
}

/* The local port of the redirected connection; -1: the listener cannot be reached; -2: the
 * request could not be sent. */
int
redirect (int fd, const void * socks_sa, unsigned int socks_len, const unsigned char * dest,
    const char * host, unsigned int pid, unsigned int seq)
{
  unsigned char request[600];
  unsigned char local[128];
  unsigned int local_len = sizeof (local);
  int flags, blocking_changed, result, length, sent = 0;

  flags = fcntl_fn (fd, F_GETFL, 0);
  blocking_changed = flags != -1 && (flags & O_NONBLOCK) != 0;
  if (blocking_changed)
    fcntl_fn (fd, F_SETFL, flags & ~O_NONBLOCK);

  if (connect_fn (fd, socks_sa, socks_len) != 0)
  {
    result = -1;
  }
  else
  {
    length = build_request (request, dest, host, pid, seq);
    result = 0;
    while (sent < length)
    {
      long n = send_fn (fd, request + sent, length - sent, MSG_NOSIGNAL);
      if (n <= 0)
      {
        result = -2;
        break;
      }
      sent += n;
    }
    if (result == 0)
      result = getsockname_fn (fd, local, &local_len) == 0 ? (local[2] << 8) | local[3] : 0;
  }

  if (blocking_changed)
    fcntl_fn (fd, F_SETFL, flags);
  return result;
}
`;

export type Redirect = (fd: number, socksAddress: NativePointer, socksLength: number, dest: NativePointer,
  host: string | null, seq: number) => { localPort: number | null; error: string | null };

const keep: any[] = [];

// A string: why it cannot be installed here (the caller records the hook as not installed).
export function nativeRedirect(connect: NativePointer): Redirect | string {
  const symbols: { [name: string]: NativePointer } = { connect_fn: connect };
  const missing: string[] = [];
  for (const name of ["fcntl", "send", "getsockname"]) {
    const address = Module.findGlobalExportByName(name);
    if (address === null) missing.push(name);
    else symbols[`${name}_fn`] = address;
  }
  if (missing.length > 0) return `missing in libc: ${missing.join(", ")}`;
  let cm: CModule;
  try {
    cm = new CModule(SOURCE, symbols);
  } catch (e) {
    return `the agent's C helper did not compile here (CModule): ${e}`;
  }
  keep.push(cm);
  const fn = new NativeFunction(cm.redirect, "int", ["int", "pointer", "uint", "pointer", "pointer", "uint", "uint"]);
  return (fd, socksAddress, socksLength, dest, host, seq) => {
    const name = host !== null && host.length < 256 ? Memory.allocUtf8String(host) : NULL;
    const r = fn(fd, socksAddress, socksLength, dest, name, Process.id, seq) as number;
    if (r === -1) return { localPort: null, error: "privmon's proxy is not reachable" };
    if (r === -2) return { localPort: null, error: "SOCKS request not sent" };
    return { localPort: r > 0 ? r : null, error: null };
  };
}
