/* The lab device's system properties, as bionic serves them on a phone: __system_property_get,
 * __system_property_find and __system_property_read_callback over the key=value file the lab run
 * writes (PRIVMON_LAB_SYSTEM_PROPERTIES). Never the host's values: the host has no such store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROP_NAME_MAX 128
#define PROP_VALUE_MAX 92
#define MAX_PROPS 256

typedef struct prop_info {
    char name[PROP_NAME_MAX];
    char value[PROP_VALUE_MAX];
} prop_info;

static prop_info props[MAX_PROPS];
static int prop_count = -1;

static void load(void) {
    if (prop_count >= 0) return;
    prop_count = 0;
    const char *path = getenv("PRIVMON_LAB_SYSTEM_PROPERTIES");
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) return;
    char line[PROP_NAME_MAX + PROP_VALUE_MAX + 4];
    while (prop_count < MAX_PROPS && fgets(line, sizeof line, f)) {
        char *eq = strchr(line, '=');
        if (!eq) continue;
        *eq = 0;
        char *value = eq + 1;
        value[strcspn(value, "\r\n")] = 0;
        snprintf(props[prop_count].name, PROP_NAME_MAX, "%s", line);
        snprintf(props[prop_count].value, PROP_VALUE_MAX, "%s", value);
        prop_count++;
    }
    fclose(f);
}

const prop_info *__system_property_find(const char *name) {
    load();
    for (int i = 0; i < prop_count; i++)
        if (strcmp(props[i].name, name) == 0) return &props[i];
    return NULL;
}

void __system_property_read_callback(const prop_info *pi,
                                     void (*callback)(void *cookie, const char *name, const char *value, unsigned serial),
                                     void *cookie) {
    if (pi) callback(cookie, pi->name, pi->value, 0);
}

int __system_property_get(const char *name, char *value) {
    const prop_info *pi = __system_property_find(name);
    if (!pi) {
        value[0] = 0;
        return 0;
    }
    snprintf(value, PROP_VALUE_MAX, "%s", pi->value);
    return (int) strlen(value);
}
