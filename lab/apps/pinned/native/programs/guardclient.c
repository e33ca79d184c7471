/* The lab's pinning native SDK client (stands for an SDK's own C code on OpenSSL or BoringSSL):
 * started by the app as a child process, it posts an identifier over TLS and accepts its server
 * only if the leaf certificate's SHA-256 is the pinned one. `callback` checks the pin in the
 * verify callback, as most native SDKs do (behind privmon's proxy the handshake fails unless the
 * run unpins); `after` turns verification off and compares the pin once the handshake is done,
 * which no verify-callback unpinning can defeat.
 *
 *     guardclient ADDRESS HOST PINNED_CERT_PEM BODY callback|after
 *
 * ADDRESS is the lab address the app resolved HOST to; anything but IPv4 loopback is refused. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static unsigned char pinned[32];

static int leaf_is_pinned(X509 *leaf) {
    unsigned char seen[32];
    unsigned int length = 0;
    return leaf != NULL && X509_digest(leaf, EVP_sha256(), seen, &length) == 1 && length == 32 &&
           memcmp(seen, pinned, 32) == 0;
}

static int check_pin(int preverify_ok, X509_STORE_CTX *store) {
    (void)preverify_ok; /* the pin replaces the chain check: the server's certificate is its own */
    if (X509_STORE_CTX_get_error_depth(store) > 0) return 1;
    return leaf_is_pinned(X509_STORE_CTX_get_current_cert(store));
}

static int load_pin(const char *path) {
    FILE *file = fopen(path, "r");
    if (file == NULL) return 0;
    X509 *cert = PEM_read_X509(file, NULL, NULL, NULL);
    fclose(file);
    unsigned int length = 0;
    int ok = cert != NULL && X509_digest(cert, EVP_sha256(), pinned, &length) == 1 && length == 32;
    X509_free(cert);
    return ok;
}

int main(int argc, char **argv) {
    if (argc != 6 || (strcmp(argv[5], "callback") != 0 && strcmp(argv[5], "after") != 0)) {
        fprintf(stderr, "usage: guardclient ADDRESS HOST PINNED_CERT_PEM BODY callback|after\n");
        return 2;
    }
    const char *address = argv[1], *host = argv[2], *body = argv[4];
    int in_callback = strcmp(argv[5], "callback") == 0;
    struct sockaddr_in server = {.sin_family = AF_INET, .sin_port = htons(443)};
    if (inet_pton(AF_INET, address, &server.sin_addr) != 1 || (ntohl(server.sin_addr.s_addr) >> 24) != 127) {
        printf("guard: refusing a non-loopback address %s\n", address);
        return 2;
    }
    if (!load_pin(argv[3])) {
        printf("guard: cannot read the pinned certificate %s\n", argv[3]);
        return 2;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&server, sizeof server) != 0) {
        printf("guard: cannot connect to %s\n", address);
        return 1;
    }
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, in_callback ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, in_callback ? check_pin : NULL);
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, host);
    if (SSL_connect(ssl) != 1) {
        printf("guard: handshake refused (certificate pin), nothing sent\n");
        return 1;
    }
    if (!in_callback && !leaf_is_pinned(SSL_get_peer_certificate(ssl))) {
        printf("guard: certificate pin mismatch after the handshake, nothing sent\n");
        return 1;
    }
    char request[2048];
    int length = snprintf(request, sizeof request,
                          "POST /v2/%s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                          "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                          in_callback ? "guard" : "late", host, strlen(body), body);
    if (length <= 0 || length >= (int)sizeof request || SSL_write(ssl, request, length) != length) {
        printf("guard: the request could not be written\n");
        return 1;
    }
    char answer[4096];
    int got = 0, n;
    while (got < (int)sizeof answer - 1 && (n = SSL_read(ssl, answer + got, (int)sizeof answer - 1 - got)) > 0) got += n;
    answer[got] = '\0';
    char *end = strstr(answer, "\r\n");
    if (end != NULL) *end = '\0';
    printf("guard: %s\n", got > 0 ? answer : "no answer");
    SSL_shutdown(ssl);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    return got > 0 ? 0 : 1;
}
