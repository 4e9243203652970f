function Add-MSCommerceSubscriptionUser {
    <#
    .SYNOPSIS
        Assigns licenses of a subscription to users.

    .DESCRIPTION
        Calls POST /v1.0/subscriptions/{subscriptionId}/assignUsers with {"userIds": [...]}: 1 to 20 users of the
        organization per call, all or none. Never beyond the quantity bought (NotEnoughLicenses); a user who already holds a license keeps it. Users piped in (Get-MSCommerceUser) bind by their
        UserId, one call each. The purchaser manages a self-service subscription's licenses; on a central
        subscription a Global, License or User Administrator does (an admin on a self-service subscription gets
        TakeOverRequired: take it over first with Move-MSCommerceSubscriptionUser). Each change is audited.

    .PARAMETER SubscriptionId
        The subscription. Binds from the SubscriptionId property of piped objects.

    .PARAMETER UserId
        The users' object IDs, 1 to 20. Binds from the UserId property of piped objects.

    .PARAMETER ETag
        The subscription's version as it was read (the ETag property of Get-MSCommerceSubscription's objects):
        with it, nothing changes if the subscription changed since (PreconditionFailed).

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Add-MSCommerceSubscriptionUser -SubscriptionId $central -UserId $ann, $bob

        Gives Ann and Bob a license of the central subscription.

    .EXAMPLE
        Get-MSCommerceUser | Where-Object -Property DisplayName -Like '*Sales*' | Add-MSCommerceSubscriptionUser -SubscriptionId $central -WhatIf

        Shows which sales people would get a license, without assigning any.

    .INPUTS
        System.String. SubscriptionId, UserId and ETag, by property name.

    .OUTPUTS
        MSCommerce.Subscription. The subscription as it now is, with its assigned users.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('MSCommerce.Subscription')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$SubscriptionId,

        [Parameter(Mandatory, Position = 1, ValueFromPipelineByPropertyName)]
        [ValidateCount(1, 20)]
        [string[]]$UserId,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$ETag,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    }

    process {
        $target = "Subscription '$SubscriptionId'"
        if ($ETag) {
            $target += " as read (ETag $ETag)"
        }
        if (-not $PSCmdlet.ShouldProcess($target, "Assign licenses to $(@($UserId) -join ', ')")) {
            return
        }
        $splatChange = @{
            Action         = 'assignUsers'
            SubscriptionId = $SubscriptionId
            UserId         = $UserId
            ETag           = $ETag
            Token          = $Token
            ErrorContext   = "Failed to assign licenses of subscription '$SubscriptionId'"
        }
        try {
            Invoke-MSCommerceLicenseAssignment @splatChange
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
        }
    }
}
