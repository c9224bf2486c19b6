// Channel notify endpoints: /notify/{channel}/{channel_account_id}. Unauthenticated by merchant signature;
// the channel's own signature is verified by the account's gateway. Answers in the channel's dialect.
#include "api/envelope.h"
#include "api/gateway.h"

namespace paygate::api {

void Gateway::add_notify_routes() {
  NotifyService& notifies = services_.notifies;
  add("POST", "/notify/alipay/{channel_account_id}", false,
      [&notifies](const RequestContext& context, http::Responder reply) {
        notifies.handle(Channel::kAlipay, context.param("channel_account_id"), context.request.body,
                        context.on_connection<NotifyAnswer>(
                            [reply, request_id = context.request_id](Result<NotifyAnswer> answer) {
                              if (!answer.ok()) return reply(error_response(answer.error(), request_id));
                              reply(http::Response{200, "text/plain; charset=utf-8", {}, answer->body});
                            }));
      });
}

}  // namespace paygate::api
