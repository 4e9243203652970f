function Move-MSCommerceSubscriptionUser {
    <#
    .SYNOPSIS
        Takes over a self-service subscription by moving all its users to a central subscription.

    .DESCRIPTION
        Calls POST /v1.0/subscriptions/{subscriptionId}/takeOver/moveUsers with {"targetSubscriptionId": ...}.
        All or nothing: the central subscription needs one free license per user who does not hold one yet,
        otherwise nothing moves and the error (ErrorId NotEnoughLicenses) says how many are missing. On success
        the users hold licenses of the central subscription, the self-service subscription is cancelled (status
        Deleted, reason MovingToCentralLicenses) and its purchaser is emailed. One MSCommerce.MoveResult is
        written per subscription moved.

        Subscriptions can be piped in: objects of Get-MSCommerceSubscription bind by their SubscriptionId
        property (and their ETag, so that each moves only if it has not changed since it was listed), and each one
        is moved on its own; one that fails (NotEnoughLicenses, NotSelfService,
        SubscriptionNotActive, TargetNotCentral, SubscriptionNotFound, PreconditionFailed) is reported as a non-terminating error and
        the next one is still moved.

        Move is PowerShell's approved verb for taking items from one container to another; the noun says what
        moves: the users of a subscription. The command asks for confirmation before each subscription
        (ConfirmImpact High); -WhatIf shows what would happen and changes nothing; -Confirm:$false or -Force
        skips the question (-Force does not override an explicit -Confirm). Needs Global Administrator or
        Billing Administrator.

    .PARAMETER SubscriptionId
        The self-service subscription to take over. Binds from the SubscriptionId property of piped objects.

    .PARAMETER TargetSubscriptionId
        The central subscription that receives the users (its SubscriptionId, for example from
        Get-MSCommerceSubscription -PurchaseType Central).

    .PARAMETER ETag
        The subscription's version as it was read: the ETag property of Get-MSCommerceSubscription's objects,
        bound from piped objects. With it, the subscription is taken over only if it has not changed since it was
        read (the service compares it with If-Match); otherwise nothing changes and the error PreconditionFailed
        says so: read the subscription again, look at it, and repeat. Without it, the subscription is taken over
        as it is when the request arrives. Given by hand, it applies to every subscription of the call: give it
        with one -SubscriptionId, and let piped subscriptions bring their own.

    .PARAMETER Force
        Moves without asking for confirmation, unless -Confirm is given too.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Move-MSCommerceSubscriptionUser -SubscriptionId $selfServiceId -TargetSubscriptionId $centralId

        Moves the users of one self-service subscription to a central one, after confirmation.

    .EXAMPLE
        $central = Get-MSCommerceSubscription -PurchaseType Central | Where-Object -Property ProductId -EQ 'CFQ7TTC0H9MP' | Select-Object -First 1
        Get-MSCommerceSubscription -PurchaseType SelfService | Where-Object -Property ProductId -EQ 'CFQ7TTC0H9MP' | Move-MSCommerceSubscriptionUser -TargetSubscriptionId $central.SubscriptionId -WhatIf

        Shows which self-service Power BI Pro subscriptions would be taken over into the organization's own,
        without moving anyone. Run it again without -WhatIf to move them, one confirmation each.

    .EXAMPLE
        Get-MSCommerceSubscription -PurchaseType SelfService | Where-Object -Property Purchaser -EQ 'ann@contoso.onmicrosoft.com' | Move-MSCommerceSubscriptionUser -TargetSubscriptionId $centralId -Force

        Moves the users of every subscription Ann bought, without a prompt for each.

    .INPUTS
        System.String. Subscription IDs and ETags, by property name (SubscriptionId, ETag).

    .OUTPUTS
        MSCommerce.MoveResult. Properties: Status ("Move completed"), MovedUsers (users who received a license
        of the target; users who held one already are not counted), SubscriptionId, SourceStatus (Deleted),
        TargetSubscriptionId, TargetAssignedCount, TargetQuantity.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('MSCommerce.MoveResult')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$SubscriptionId,

        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$TargetSubscriptionId,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$ETag,

        [Parameter()]
        [switch]$Force,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
    }

    process {
        $target = "Self-service subscription '$SubscriptionId'"
        if ($ETag) {
            $target += " as read (ETag $ETag)"
        }
        $action = "Move every user to central subscription '$TargetSubscriptionId', then cancel this subscription"
        if (-not $PSCmdlet.ShouldProcess($target, $action)) {
            return
        }
        $splatRest = @{
            Method        = 'POST'
            Path          = '/v1.0/subscriptions/{subscriptionId}/takeOver/moveUsers'
            PathParameter = @{ subscriptionId = $SubscriptionId }
            Body          = @{ targetSubscriptionId = $TargetSubscriptionId }
            Token         = $Token
            ErrorContext  = "Failed to move the users of subscription '$SubscriptionId'"
            TargetObject  = $SubscriptionId
        }
        if ($ETag) {
            $splatRest['IfMatch'] = $ETag
        }
        try {
            $result = Invoke-MSCommerceRestMethod @splatRest
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
            return
        }
        [pscustomobject]@{
            PSTypeName           = 'MSCommerce.MoveResult'
            Status               = [string]$result.status
            MovedUsers           = [long]$result.movedUsers
            SubscriptionId       = [string]$result.source.id
            SourceStatus         = [string]$result.source.status
            TargetSubscriptionId = [string]$result.target.id
            TargetAssignedCount  = [long]$result.target.assignedCount
            TargetQuantity       = [long]$result.target.quantity
        }
    }
}
