/* The NativeId SDK's JNI library: reads the Wi-Fi MAC with open()/read(), the serial with bionic's
 * __system_property_get and the CPU's serial line with fopen()/fgets(), as SDKs do to stay out of
 * sight of Java API hooks. */
#include <fcntl.h>
#include <jni.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int __system_property_get(const char *name, char *value);

JNIEXPORT jstring JNICALL Java_com_nativeid_sdk_NativeId_readFile(JNIEnv *env, jclass cls, jstring path) {
    const char *p = (*env)->GetStringUTFChars(env, path, NULL);
    int fd = open(p, O_RDONLY);
    (*env)->ReleaseStringUTFChars(env, path, p);
    if (fd < 0) return NULL;
    char buf[256];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n < 0) return NULL;
    buf[n] = 0;
    buf[strcspn(buf, "\n")] = 0;
    return (*env)->NewStringUTF(env, buf);
}

JNIEXPORT jstring JNICALL Java_com_nativeid_sdk_NativeId_getProp(JNIEnv *env, jclass cls, jstring name) {
    const char *n = (*env)->GetStringUTFChars(env, name, NULL);
    char value[92];
    int len = __system_property_get(n, value);
    (*env)->ReleaseStringUTFChars(env, name, n);
    return len > 0 ? (*env)->NewStringUTF(env, value) : NULL;
}

JNIEXPORT jstring JNICALL Java_com_nativeid_sdk_NativeId_cpuSerial(JNIEnv *env, jclass cls) {
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return NULL;
    char line[256];
    jstring found = NULL;
    while (!found && fgets(line, sizeof line, f)) {
        if (strncmp(line, "Serial", 6) == 0) {
            char *colon = strchr(line, ':');
            if (colon) {
                colon += 1 + strspn(colon + 1, " \t");
                colon[strcspn(colon, "\n")] = 0;
                found = (*env)->NewStringUTF(env, colon);
            }
        }
    }
    fclose(f);
    return found;
}
