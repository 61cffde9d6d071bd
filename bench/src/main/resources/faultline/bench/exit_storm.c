/*
 * Faultline live-capture benchmark guest: one VM, one vCPU, real-mode code that exits to us as fast as
 * it can, forever: { out 0x3f8,al (KVM_EXIT_IO); mov [0x2000],ax (KVM_EXIT_MMIO: no memslot there) }.
 * Each exit fires kvm_pio or kvm_mmio, kvm_userspace_exit and the KVM_RUN ioctl's enter and exit.
 *
 *   exit_storm SECONDS
 *
 * Prints "exits N seconds S" once SECONDS have passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kvm_guest.h"

static void die(const char *what) {
    fprintf(stderr, "exit_storm: %s: %s\n", what, strerror(errno));
    exit(2);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 5;
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) die("open /dev/kvm");
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) die("KVM_CREATE_VM");
    uint8_t *mem = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) die("mmap guest memory");
    const uint8_t code[] = {
        0xba, 0xf8, 0x03,       /* mov dx, 0x3f8 */
        0xee,                   /* loop: out dx, al */
        0xa3, 0x00, 0x20,       /* mov [0x2000], ax */
        0xeb, 0xfa,             /* jmp loop */
    };
    memcpy(mem, code, sizeof code);
    struct kvm_userspace_memory_region region = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = 0x1000, .userspace_addr = (uint64_t)(uintptr_t)mem,
    };
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) die("KVM_SET_USER_MEMORY_REGION");
    int vcpu;
    struct kvm_run *run = fl_real_mode_vcpu(kvm, vm, 0, &vcpu);

    long exits = 0;
    double start = now(), end = start + seconds, t = start;
    while (t < end) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) die("KVM_RUN");
        if (run->exit_reason != KVM_EXIT_IO && run->exit_reason != KVM_EXIT_MMIO) {
            fprintf(stderr, "exit_storm: unexpected exit reason %u\n", run->exit_reason);
            return 2;
        }
        if ((++exits & 1023) == 0) {
            t = now();
        }
    }
    printf("exits %ld seconds %.3f\n", exits, now() - start);
    return 0;
}
