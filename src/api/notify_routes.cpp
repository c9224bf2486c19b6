// Channel notify endpoints: /notify/{channel}/{channel_account_id}. Unauthenticated by merchant signature;
// the channel's own signature is verified by the account's gateway. Answers in the channel's dialect.
#include "api/envelope.h"
#include "api/gateway.h"
#include "fmt/format.h"

namespace paygate::api {

void Gateway::add_notify_routes() {
  NotifyService& notifies = services_.notifies;
  for (Channel channel : {Channel::kAlipay, Channel::kWechatpay}) {
    add("POST", fmt::format("/notify/{}/{{channel_account_id}}", to_string(channel)), false,
        [&notifies, channel](const RequestContext& context, http::Responder reply) {
          notifies.handle(channel, context.param("channel_account_id"),
                          NotifyRequest{context.request.headers, context.request.body},
                          context.on_connection<NotifyReply>(
                              [reply, request_id = context.request_id](Result<NotifyReply> answer) {
                                if (!answer.ok()) return reply(error_response(answer.error(), request_id));
                                reply(http::Response{answer->status, answer->content_type, {}, answer->body});
                              }));
        });
  }
}

}  // namespace paygate::api
