-- CreateIndex
CREATE INDEX "User_tokensValidAfter_idx" ON "User"("tokensValidAfter");

-- CreateIndex
CREATE INDEX "RefreshFamily_expiresAt_idx" ON "RefreshFamily"("expiresAt");
