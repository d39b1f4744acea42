using System.Buffers.Binary;

namespace Sfu.Core.Rtcp;

/// <summary>
/// Expands the PID/BLP pairs of a <see cref="GenericNack"/> into lost sequence numbers,
/// in packet order, without allocating. Bit i of BLP (LSB = bit 0) reports PID + i + 1 lost
/// (RFC 4585 §6.2.1); additions wrap modulo 2^16.
/// </summary>
public ref struct GenericNackEnumerator
{
    private readonly ReadOnlySpan<byte> _fci;
    private int _offset;
    private int _bit;
    private ushort _pid;
    private ushort _blp;
    private ushort _current;

    internal GenericNackEnumerator(ReadOnlySpan<byte> fci)
    {
        _fci = fci;
        _offset = 0;
        _bit = 16; // "no pair loaded"
        _pid = 0;
        _blp = 0;
        _current = 0;
    }

    /// <summary>The lost sequence number found by the last successful <see cref="MoveNext"/>.</summary>
    public readonly ushort Current => _current;

    /// <summary>Lets the enumerator be used directly in <c>foreach</c>.</summary>
    public readonly GenericNackEnumerator GetEnumerator() => this;

    /// <summary>Advances to the next lost sequence number.</summary>
    public bool MoveNext()
    {
        while (_bit < 16)
        {
            int bit = _bit++;
            if ((_blp & (1 << bit)) != 0)
            {
                _current = unchecked((ushort)(_pid + bit + 1));
                return true;
            }
        }

        if (_offset + GenericNack.FciSize > _fci.Length)
        {
            return false;
        }

        _pid = BinaryPrimitives.ReadUInt16BigEndian(_fci[_offset..]);
        _blp = BinaryPrimitives.ReadUInt16BigEndian(_fci[(_offset + 2)..]);
        _offset += GenericNack.FciSize;
        _bit = 0;
        _current = _pid;
        return true;
    }
}
