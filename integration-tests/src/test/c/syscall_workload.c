/*
 * A workload any host can run, for the readers' tests without /dev/kvm: ioctls with KVM's command numbers on
 * /dev/null (refused), ioctls with another number, allocating and punching fallocates on a plain file. Its name
 * (the comm the kernel filter selects) is its file name. Usage: syscall_workload FILE ROUNDS
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s FILE ROUNDS\n", argv[0]);
        return 2;
    }
    int rounds = atoi(argv[2]);
    int null = open("/dev/null", O_RDONLY);
    int file = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (null < 0 || file < 0) {
        perror("open");
        return 1;
    }
    /* KVM_CREATE_VM, KVM_CREATE_VCPU, KVM_CREATE_GUEST_MEMFD, KVM_SET_MEMORY_ATTRIBUTES, and no KVM ioctl */
    unsigned long cmds[] = {0xae01UL, 0xae41UL, 0xc040aed4UL, 0x4020aed2UL, 0x1234UL};
    for (int i = 0; i < rounds; i++) {
        for (int c = 0; c < 5; c++) {
            ioctl(null, cmds[c], 0); /* fails: /dev/null is no KVM device */
        }
        if (fallocate(file, 0, (off_t) i * 4096, 4096) != 0
                || fallocate(file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t) i * 4096, 4096) != 0) {
            perror("fallocate");
            return 1;
        }
    }
    return 0;
}
