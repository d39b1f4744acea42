using Sfu.Core.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Sfu.LoadTest;

/// <summary>
/// Up to <see cref="Capacity"/> datagrams from one socket in one <c>recvmmsg(2)</c>, without
/// blocking (<c>MSG_DONTWAIT</c>): the counting subscribers drain hundreds of sockets from one
/// thread, and a system call per datagram would cost the bots' process more than the server.
/// Linux on 64-bit only; <see cref="BatchedSocketReader"/> falls back to <c>ReceiveFrom</c>.
/// </summary>
/// <remarks>All native memory (slots, addresses, <c>iovec</c> and <c>mmsghdr</c> arrays) is allocated once.</remarks>
internal sealed unsafe partial class LinuxDatagramReceiver : IDisposable
{
    public const int Capacity = 32;
    public const int SlotSize = 2048;

    // sockaddr_in6 is 28 bytes, the largest address a UDP socket can report.
    private const int AddressSlotSize = 32;
    private const int MsgDontWait = 0x40;

    private readonly byte* _slots;
    private readonly byte* _addresses;
    private readonly IoVec* _iov;
    private readonly MMsgHdr* _messages;
    private bool _disposed;

    private LinuxDatagramReceiver()
    {
        _slots = (byte*)NativeMemory.AlignedAlloc((nuint)(SlotSize * Capacity), 64);
        _addresses = (byte*)NativeMemory.AllocZeroed((nuint)(AddressSlotSize * Capacity));
        _iov = (IoVec*)NativeMemory.AllocZeroed((nuint)(sizeof(IoVec) * Capacity));
        _messages = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)(sizeof(MMsgHdr) * Capacity));
        for (int i = 0; i < Capacity; i++)
        {
            _iov[i].Base = _slots + (i * SlotSize);
            _iov[i].Length = SlotSize;
            _messages[i].Header.Iov = &_iov[i];
            _messages[i].Header.IovLength = 1;
        }
    }

    public static LinuxDatagramReceiver? TryCreate() => OperatingSystem.IsLinux() && Environment.Is64BitProcess ? new LinuxDatagramReceiver() : null;

    /// <summary>
    /// Receives what the socket holds, up to <see cref="Capacity"/> datagrams; 0 when it holds
    /// nothing (or reports an error, e.g. a refused connected socket: the next sweep tries again).
    /// </summary>
    public int Receive(SafeSocketHandle socket)
    {
        for (int i = 0; i < Capacity; i++)
        {
            // The kernel writes back the address and flag lengths: reset them for every call.
            _messages[i].Header.Name = _addresses + (i * AddressSlotSize);
            _messages[i].Header.NameLength = AddressSlotSize;
            _messages[i].Header.Flags = 0;
        }

        int received = ReceiveMultipleMessages(socket, _messages, Capacity, MsgDontWait, null);
        return Math.Max(received, 0);
    }

    /// <summary>Datagram <paramref name="index"/> of the last <see cref="Receive"/>, truncated to a slot.</summary>
    public Span<byte> Datagram(int index) => new(_iov[index].Base, (int)Math.Min(_messages[index].Length, SlotSize));

    /// <summary>Copies the source address of datagram <paramref name="index"/> into <paramref name="address"/> (native sockaddr bytes, as <see cref="SocketAddress"/> holds them).</summary>
    public void CopySource(int index, System.Net.SocketAddress address)
    {
        int length = (int)Math.Min(_messages[index].Header.NameLength, (uint)address.Buffer.Length);
        new ReadOnlySpan<byte>(_messages[index].Header.Name, length).CopyTo(address.Buffer.Span);
        address.Size = length;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        NativeMemory.AlignedFree(_slots);
        NativeMemory.Free(_addresses);
        NativeMemory.Free(_iov);
        NativeMemory.Free(_messages);
    }

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    private static partial int ReceiveMultipleMessages(SafeSocketHandle socket, MMsgHdr* messages, uint count, int flags, void* timeout);
}
