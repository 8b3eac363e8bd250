# The reconnect property and its signal, from Python (issue 19).  The
# server restarts themselves run in C, on a private PipeWire session
# (tests/engine/test-reconnect.c); here: what a binding sees.
import gi

gi.require_version("Flitzis", "1.0")
from gi.repository import Flitzis, GObject  # noqa: E402


def test_reconnect_defaults_off_and_notifies_once_per_change():
    engine = Flitzis.AudioEngine()
    assert engine.props.reconnect is False
    assert engine.get_reconnect() is False
    seen = []
    engine.connect("notify::reconnect", lambda obj, pspec: seen.append(obj.props.reconnect))
    engine.set_reconnect(True)
    engine.props.reconnect = True
    engine.props.reconnect = False
    assert seen == [True, False]


def test_reconnect_from_the_constructor():
    engine = Flitzis.AudioEngine(reconnect=True)
    assert engine.get_reconnect() is True


def test_reconnected_signal_carries_its_frame():
    info = GObject.signal_query(GObject.signal_lookup("reconnected", Flitzis.AudioEngine))
    assert info.signal_name == "reconnected"
    assert info.return_type == GObject.TYPE_NONE
    assert [t.name for t in info.param_types] == ["guint64"]


def test_reconnected_is_a_message_kind():
    assert Flitzis.MessageKind.RECONNECTED > Flitzis.MessageKind.STREAM_ERROR
    assert Flitzis.MessageKind.RECONNECTED.value_nick == "reconnected"


def test_shut_down_engine_with_reconnect_stays_shut_down():
    # JACK runs here (tools/with-jackd.sh) and no PipeWire: reconnect
    # changes nothing for a stream that is shut down on purpose.
    engine = Flitzis.AudioEngine(reconnect=True, backend=Flitzis.Backend.JACK)
    engine.run()
    assert engine.props.running
    engine.shut_down()
    assert not engine.props.running
    assert engine.props.reconnect
