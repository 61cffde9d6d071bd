/*
 * What /dev/kvm answers, asked without Faultline: KVM_GET_API_VERSION and KVM_CHECK_EXTENSION for the
 * capabilities faultline doctor reports, one "NAME VALUE" line each. HostDoctorIT compares doctor with it.
 * The numbers are written out from include/uapi/linux/kvm.h (this machine's headers predate them), apart
 * from Faultline's own table, so a wrong number in either shows.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const struct {
    const char *name;
    int number;
} CAPS[] = {
    {"KVM_CAP_USER_MEMORY2", 231},      {"KVM_CAP_MEMORY_ATTRIBUTES", 233}, {"KVM_CAP_GUEST_MEMFD", 234},
    {"KVM_CAP_VM_TYPES", 235},          {"KVM_CAP_PRE_FAULT_MEMORY", 236},  {"KVM_CAP_GUEST_MEMFD_FLAGS", 244},
};

int main(void) {
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) {
        perror("kvm_caps: open /dev/kvm");
        return 2;
    }
    printf("api %d\n", ioctl(kvm, KVM_GET_API_VERSION, 0));
    for (unsigned i = 0; i < sizeof CAPS / sizeof CAPS[0]; i++) {
        int r = ioctl(kvm, KVM_CHECK_EXTENSION, CAPS[i].number);
        printf("%s %d\n", CAPS[i].name, r < 0 ? 0 : r);
    }
    close(kvm);
    return 0;
}
