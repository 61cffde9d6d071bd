package dev.faultline.analyser.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Tagged values read, untagged ones of state release 0 read, a newer format is refused by name. */
class StateFormatTest {
    @Test
    void jsonTaggedUntaggedAndNewer() {
        JsonSerde<VmState> serde = new JsonSerde<>(VmState.class);
        VmState s = new VmState();
        s.vmType = "SEV_SNP";
        byte[] tagged = serde.serializer().serialize("t", s);
        assertThat(tagged[0]).isEqualTo(StateFormat.MAGIC);
        assertThat(tagged[1]).isEqualTo((byte) StateFormat.VERSION);
        assertThat(serde.deserializer().deserialize("t", tagged).vmType).isEqualTo("SEV_SNP");
        byte[] release0 = Arrays.copyOfRange(tagged, StateFormat.TAG, tagged.length);
        assertThat(new String(release0, StandardCharsets.UTF_8)).startsWith("{");
        assertThat(serde.deserializer().deserialize("t", release0).vmType).isEqualTo("SEV_SNP");
        tagged[1] = (byte) (StateFormat.VERSION + 1);
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", tagged)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("state format " + (StateFormat.VERSION + 1)).hasMessageContaining("up to " + StateFormat.VERSION);
    }

    @Test
    void vcpuContextTaggedUntaggedAndNewer() {
        VcpuContextSerde serde = new VcpuContextSerde();
        VcpuContext c = new VcpuContext();
        c.lastFaultGfn = 0xfffffffffffff000L;
        c.lastFaultPrivate = true;
        c.pendingReadGpa = 0x2004L;
        byte[] tagged = serde.serializer().serialize("t", c);
        VcpuContext back = serde.deserializer().deserialize("t", tagged);
        assertThat(back.lastFaultGfn).isEqualTo(c.lastFaultGfn);
        assertThat(back.lastFaultPrivate).isTrue();
        assertThat(back.pendingReadGpa).isEqualTo(0x2004L);
        VcpuContext fromRelease0 = serde.deserializer().deserialize("t", Arrays.copyOfRange(tagged, StateFormat.TAG, tagged.length));
        assertThat(fromRelease0.pendingReadGpa).isEqualTo(0x2004L);
        tagged[1] = 9;
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", tagged)).hasMessageContaining("state format 9");
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {1, 2, 3})).isInstanceOf(SerializationException.class);
    }
}
