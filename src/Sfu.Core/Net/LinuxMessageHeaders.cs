using System.Runtime.InteropServices;

namespace Sfu.Core.Net;

// struct iovec, struct msghdr and struct mmsghdr of the LP64 Linux ABI, as sendmmsg(2) and
// recvmmsg(2) take them. One definition for every batched socket call here and in the tools.

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVec
{
    public byte* Base;
    public nuint Length;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MsgHdr
{
    public byte* Name;
    public uint NameLength;
    public IoVec* Iov;
    public nuint IovLength;
    public void* Control;
    public nuint ControlLength;
    public int Flags;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MMsgHdr
{
    public MsgHdr Header;
    public uint Length;
}
