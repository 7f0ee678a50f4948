"""How a planned notification leaves the service: webhook, email, the in-app inbox, the WeCom
and DingTalk group robots, SMS."""
