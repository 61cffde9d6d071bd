/*
 * The minimal trace_pipe_raw reader the live-capture benchmark compares the collector with: one
 * process per CPU reads its ring-buffer pages (non-blocking, a 200 us pause when empty) and throws
 * them away. SIGTERM: read what is left, print the page count, exit.
 *
 *   rawcat INSTANCE_DIR CPU...
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

static volatile sig_atomic_t stop;

static void on_term(int sig) {
    (void)sig;
    stop = 1;
}

static int read_cpu(const char *instance, const char *cpu) {
    char path[4096];
    snprintf(path, sizeof path, "%s/per_cpu/cpu%s/trace_pipe_raw", instance, cpu);
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0) {
        perror(path);
        return 2;
    }
    static char page[1 << 16];
    long pages = 0;
    while (!stop) {
        if (read(fd, page, sizeof page) > 0) {
            pages++;
        } else {
            usleep(200);
        }
    }
    while (read(fd, page, sizeof page) > 0) {
        pages++;
    }
    printf("cpu %s pages %ld\n", cpu, pages);
    return 0;
}

int main(int argc, char **argv) {
    signal(SIGTERM, on_term);
    pid_t readers[256];
    int n = 0;
    for (int i = 2; i < argc && n < 256; i++) {
        pid_t p = fork();
        if (p == 0) {
            return read_cpu(argv[1], argv[i]);
        }
        readers[n++] = p;
    }
    while (!stop) {
        sleep(1); /* a signal ends the sleep */
    }
    for (int i = 0; i < n; i++) {
        kill(readers[i], SIGTERM);
    }
    int status, worst = 0;
    while (wait(&status) > 0) {
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            worst = 2;
        }
    }
    return worst;
}
