/*
 * Faultline ground-truth workload: drives /dev/kvm directly and prints what it did, one fact per line,
 * for the test to compare with what the collector saw.
 *
 *   kvm_workload ITERATIONS
 *
 * One VM (type 0) with 4 KiB of RAM at GPA 0 holding real-mode code that loops ITERATIONS times over
 * { out 0x3f8 (PIO write); mov [0x2000],ax (MMIO write); mov bx,[0x2004] (MMIO read) } and halts. GPA
 * 0x2000 has no memslot, so both accesses exit to us as KVM_EXIT_MMIO. Then a second memslot of 2 MiB at
 * GPA 0x100000, bound with KVM_SET_USER_MEMORY_REGION2 where the kernel has it: backed by a guest_memfd
 * (created with MMAP|INIT_SHARED) where the kernel has one (KVM_CAP_GUEST_MEMFD), by a plain memfd where
 * it does not. 32 pages are written through its mapping, a hole punched over 16 of them, 16 allocated,
 * the slot deleted. Between bind and punch, the two confidential-VM populate calls the BPF helper decodes
 * (KVM_MEMORY_ENCRYPT_OP with SNP_LAUNCH_UPDATE on the VM fd, TDX_INIT_MEM_REGION on the vCPU fd): a
 * default VM refuses both, but their argument structs are what the helper reads, and the return codes are
 * printed for the test.
 *
 * "gmem_supported 1" or "gmem_supported 0 why ..." says which path ran. FAULTLINE_FORCE_NO_GMEM=1 takes
 * the memfd path on a kernel that has guest_memfd, so both paths are tested on any host.
 *
 * The ioctl structs are written out here (from the KVM uapi) because the build machine's headers
 * predate guest_memfd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvm_guest.h" /* bench/src/main/resources/faultline/bench */

struct fl_memory_region2 {
    uint32_t slot;
    uint32_t flags;
    uint64_t guest_phys_addr;
    uint64_t memory_size;
    uint64_t userspace_addr;
    uint64_t guest_memfd_offset;
    uint32_t guest_memfd;
    uint32_t pad1;
    uint64_t pad2[14];
};

struct fl_create_guest_memfd {
    uint64_t size;
    uint64_t flags;
    uint64_t reserved[6];
};

/* KVM_MEMORY_ENCRYPT_OP's command header (kvm_sev_cmd / kvm_tdx_cmd share the first 16 bytes) */
struct fl_encrypt_cmd {
    uint32_t id;
    uint32_t flags;
    uint64_t data;
    uint64_t error;
};

struct fl_snp_launch_update {
    uint64_t gfn_start;
    uint64_t uaddr;
    uint64_t len;
    uint8_t type;
    uint8_t pad0;
    uint16_t flags;
    uint32_t pad1;
    uint64_t pad2[4];
};

struct fl_tdx_init_mem_region {
    uint64_t source_addr;
    uint64_t gpa;
    uint64_t nr_pages;
};

#define FL_SNP_LAUNCH_UPDATE 101
#define FL_TDX_INIT_MEM_REGION 3
#define FL_CAP_USER_MEMORY2 231
#define FL_CAP_GUEST_MEMFD 234
#define FL_SET_USER_MEMORY_REGION2 _IOW(KVMIO, 0x49, struct fl_memory_region2)
#define FL_CREATE_GUEST_MEMFD _IOWR(KVMIO, 0xd4, struct fl_create_guest_memfd)
#define FL_MEM_GUEST_MEMFD (1u << 2)
#define FL_GMEM_MMAP 1u
#define FL_GMEM_INIT_SHARED 2u

static void die(const char *what) {
    fprintf(stderr, "kvm_workload: %s: %s\n", what, strerror(errno));
    exit(2);
}

int main(int argc, char **argv) {
    long iterations = argc > 1 ? atol(argv[1]) : 10;
    if (iterations < 1 || iterations > 0xffff) {
        fprintf(stderr, "kvm_workload: ITERATIONS must be 1..65535\n");
        return 2;
    }
    /* Like a real VMM, start up before creating the VM: the kernel caches a task's comm and tgid for
     * the trace at a context switch, and a process that does all its work in its first time slice
     * shows as <...> (-------). */
    usleep(200 * 1000);
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) die("open /dev/kvm");
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0) die("KVM_CREATE_VM");
    printf("pid %d\nvm_fd %d\n", getpid(), vm);

    uint8_t *mem = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) die("mmap guest memory");
    const uint8_t code[] = {
        0xba, 0xf8, 0x03,       /* mov dx, 0x3f8 */
        0xb0, 0x41,             /* mov al, 'A' */
        0xee,                   /* out dx, al */
        0xa3, 0x00, 0x20,       /* mov [0x2000], ax      MMIO write */
        0x8b, 0x1e, 0x04, 0x20, /* mov bx, [0x2004]      MMIO read */
        0xe2, 0xf1,             /* loop 0 */
        0xf4,                   /* hlt */
    };
    memcpy(mem, code, sizeof code);
    struct kvm_userspace_memory_region ram = {.slot = 0, .guest_phys_addr = 0, .memory_size = 0x1000,
                                              .userspace_addr = (uint64_t)mem};
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &ram) < 0) die("KVM_SET_USER_MEMORY_REGION");

    int vcpu;
    struct kvm_run *run = fl_real_mode_vcpu(kvm, vm, (uint64_t)iterations, &vcpu);

    long pio = 0, mmio_w = 0, mmio_r = 0;
    for (;;) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) die("KVM_RUN");
        if (run->exit_reason == KVM_EXIT_IO) {
            pio++;
        } else if (run->exit_reason == KVM_EXIT_MMIO) {
            if (run->mmio.is_write) {
                mmio_w++;
            } else {
                uint32_t v = 0x5a5a5a5a;
                memcpy(run->mmio.data, &v, run->mmio.len < 4 ? run->mmio.len : 4);
                mmio_r++;
            }
        } else if (run->exit_reason == KVM_EXIT_HLT) {
            break;
        } else {
            fprintf(stderr, "kvm_workload: unexpected exit %u\n", run->exit_reason);
            return 3;
        }
    }
    printf("pio_write %ld port 0x3f8\nmmio_write %ld gpa 0x2000\nmmio_read %ld gpa 0x2004\n", pio, mmio_w, mmio_r);

    /* guest_memfd where the kernel has it (and the test has not forced it off), a plain memfd where not */
    const char *force = getenv("FAULTLINE_FORCE_NO_GMEM");
    int has_gmem = ioctl(kvm, KVM_CHECK_EXTENSION, FL_CAP_GUEST_MEMFD) > 0;
    int has_region2 = ioctl(kvm, KVM_CHECK_EXTENSION, FL_CAP_USER_MEMORY2) > 0;
    int gmem = has_gmem && !(force && strcmp(force, "1") == 0);
    int backing;
    if (gmem) {
        struct fl_create_guest_memfd cg = {.size = 0x200000, .flags = FL_GMEM_MMAP | FL_GMEM_INIT_SHARED};
        backing = ioctl(vm, FL_CREATE_GUEST_MEMFD, &cg);
        if (backing < 0) die("KVM_CREATE_GUEST_MEMFD");
        struct stat st;
        if (fstat(backing, &st) < 0) die("fstat gmem");
        printf("gmem_supported 1\ngmem_fd %d inode %lu size 0x200000\n", backing, (unsigned long)st.st_ino);
    } else {
        printf("gmem_supported 0 why %s\n", has_gmem ? "FAULTLINE_FORCE_NO_GMEM=1" : "KVM_CAP_GUEST_MEMFD=0");
        backing = memfd_create("kvm_workload", MFD_CLOEXEC);
        if (backing < 0) die("memfd_create");
        if (ftruncate(backing, 0x200000) < 0) die("ftruncate memfd");
        printf("memfd_fd %d size 0x200000\n", backing);
    }
    uint8_t *g = mmap(NULL, 0x200000, PROT_READ | PROT_WRITE, MAP_SHARED, backing, 0);
    if (g == MAP_FAILED) die("mmap slot 1 backing");
    struct fl_memory_region2 r2 = {.slot = 1, .flags = gmem ? FL_MEM_GUEST_MEMFD : 0, .guest_phys_addr = 0x100000,
                                   .memory_size = 0x200000, .userspace_addr = (uint64_t)g,
                                   .guest_memfd_offset = 0, .guest_memfd = gmem ? (uint32_t)backing : 0};
    struct kvm_userspace_memory_region r1 = {.slot = 1, .guest_phys_addr = 0x100000, .memory_size = 0x200000,
                                             .userspace_addr = (uint64_t)g};
    const char *set_ioctl = has_region2 ? "SET_USER_MEMORY_REGION2" : "SET_USER_MEMORY_REGION";
    if ((has_region2 ? ioctl(vm, FL_SET_USER_MEMORY_REGION2, &r2) : ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r1)) < 0) {
        die(set_ioctl);
    }
    printf("memslot_slot 1 gpa 0x100000 size 0x200000 flags %u ioctl %s\n", r2.flags, set_ioctl);
    struct fl_snp_launch_update snp = {.gfn_start = 0x100, .uaddr = (uint64_t)g, .len = 0x2000, .type = 1};
    struct fl_encrypt_cmd enc = {.id = FL_SNP_LAUNCH_UPDATE, .data = (uint64_t)&snp};
    int r = ioctl(vm, KVM_MEMORY_ENCRYPT_OP, &enc);
    printf("populate kind snp_launch_update gpa 0x100000 size 0x2000 ret %d\n", r < 0 ? -errno : r);
    struct fl_tdx_init_mem_region tdx = {.source_addr = (uint64_t)g, .gpa = 0x104000, .nr_pages = 3};
    enc = (struct fl_encrypt_cmd){.id = FL_TDX_INIT_MEM_REGION, .data = (uint64_t)&tdx};
    r = ioctl(vcpu, KVM_MEMORY_ENCRYPT_OP, &enc);
    printf("populate kind tdx_init_mem_region gpa 0x104000 size 0x3000 ret %d\n", r < 0 ? -errno : r);
    for (int p = 0; p < 32; p++) {
        g[p * 4096] = (uint8_t)p;
    }
    printf("pages_written 32\n");
    if (fallocate(backing, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0x10000, 0x10000) < 0) die("punch");
    printf("punch offset 0x10000 length 0x10000\n");
    if (fallocate(backing, FALLOC_FL_KEEP_SIZE, 0x40000, 0x10000) < 0) die("allocate");
    printf("allocate offset 0x40000 length 0x10000\n");
    r2.memory_size = 0;
    r1.memory_size = 0;
    if ((has_region2 ? ioctl(vm, FL_SET_USER_MEMORY_REGION2, &r2) : ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r1)) < 0) {
        die("delete slot");
    }
    printf("memslot_deleted slot 1\n");
    fflush(stdout);
    /* A VMM keeps its VM's fds for the VM's life; linger so a live collector can look them up in /proc. */
    usleep(1000 * 1000);
    return 0;
}
