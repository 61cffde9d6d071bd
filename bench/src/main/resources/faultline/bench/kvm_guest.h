/*
 * A real-mode vCPU at GPA 0 (cs and ds based at 0, rip 0), for the small guests that drive /dev/kvm
 * directly: the live-capture benchmark's exit_storm.c and the ground-truth test's kvm_workload.c.
 */
#ifndef FAULTLINE_KVM_GUEST_H
#define FAULTLINE_KVM_GUEST_H

#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

static void fl_guest_die(const char *what) {
    perror(what);
    exit(2);
}

/* Creates vCPU 0 of vm, in real mode at rip 0 with rcx set; returns its kvm_run, its fd in *vcpu_fd. */
static struct kvm_run *fl_real_mode_vcpu(int kvm, int vm, uint64_t rcx, int *vcpu_fd) {
    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0) fl_guest_die("KVM_CREATE_VCPU");
    int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size < 0) fl_guest_die("KVM_GET_VCPU_MMAP_SIZE");
    struct kvm_run *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED) fl_guest_die("mmap kvm_run");
    struct kvm_sregs sregs;
    if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) fl_guest_die("KVM_GET_SREGS");
    sregs.cs.base = 0;
    sregs.cs.selector = 0;
    sregs.ds.base = 0;
    sregs.ds.selector = 0;
    if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) fl_guest_die("KVM_SET_SREGS");
    struct kvm_regs regs = {.rip = 0, .rflags = 2, .rcx = rcx};
    if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) fl_guest_die("KVM_SET_REGS");
    *vcpu_fd = vcpu;
    return run;
}

#endif
