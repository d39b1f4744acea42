using System.Net;
using Sfu.Core.Stun;

namespace Sfu.Core.Tests.Stun;

public class StunAllocationTests
{
    [Fact]
    public void Parse_verify_and_write_do_not_allocate()
    {
        byte[] request = Rfc5769.Request;
        byte[] key = System.Text.Encoding.UTF8.GetBytes(Rfc5769.Password);
        var response = new byte[128];
        SocketAddress source = new IPEndPoint(IPAddress.Parse("2001:db8::1"), 5000).Serialize();

        int Run()
        {
            int sum = 0;
            if (StunMessage.TryParse(request, out StunMessage message) == StunParseResult.Ok
                && message.VerifyFingerprint()
                && message.VerifyMessageIntegrity(key)
                && message.TryGetPriority(out uint priority))
            {
                sum += (int)priority + message.Username.Length + (message.HasUseCandidate ? 1 : 0);
                var writer = new StunMessageWriter(response, StunMethod.Binding, StunClass.SuccessResponse, message.TransactionId);
                writer.AddXorMappedAddress(source);
                writer.AddErrorCode(401, "Unauthenticated");
                writer.AddMessageIntegrity(key);
                writer.AddFingerprint();
                sum += writer.Length;
            }

            return sum;
        }

        int total = 0;
        long allocated = Allocations.Measure(() => total += Run());
        Assert.NotEqual(0, total);
        Assert.Equal(0, allocated);
    }
}
