function New-MSCommerceSubscription {
    <#
    .SYNOPSIS
        Buys a central subscription for the organization: the target of a take-over by Move-MSCommerceSubscriptionUser.

    .DESCRIPTION
        Calls POST /v1.0/subscriptions with {"productId" (or "offerType"), "quantity", "billingFrequency"}. The
        organization's own purchase: the self-service purchase policy does not apply to it, and it has no
        purchaser. It renews every billing period until a billing admin cancels it.

        Take-overs move every user of a self-service subscription at once, so the central subscription needs one
        free license per user who does not hold one yet: buy it with at least the AssignedCount of the product's
        self-service licenses (Get-MSCommerceLicense), as the examples do.

        Products can be piped in: objects with a ProductId property (Get-MSCommerceLicense,
        Get-MSCommerceProductPolicies) bind by it, and one subscription is bought per object. The command supports
        -WhatIf and -Confirm; it spends money, so it asks first (ConfirmImpact High) unless -Confirm:$false.
        Needs Global Administrator or Billing Administrator.

    .PARAMETER ProductId
        The product to buy (current or old product ID, any case). Binds from the ProductId property of piped
        objects.

    .PARAMETER OfferType
        A third-party offer type to buy instead of a product: SaaS, POWERBIVISUALS, DYNAMICSCE or DYNAMICSBC.

    .PARAMETER Quantity
        How many licenses, 1 to 1000000.

    .PARAMETER BillingFrequency
        Monthly (the default) or Annual.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        New-MSCommerceSubscription -ProductId 'CFQ7TTC0H9MP' -Quantity 25 -BillingFrequency Annual

        Buys 25 Power BI Pro licenses for the organization, billed yearly.

    .EXAMPLE
        $licenses = Get-MSCommerceLicense | Where-Object -Property ProductId -EQ 'CFQ7TTC0H9MP'
        $central = $licenses | New-MSCommerceSubscription -Quantity $licenses.AssignedCount
        Get-MSCommerceSubscription -PurchaseType SelfService | Where-Object -Property ProductId -EQ 'CFQ7TTC0H9MP' | Move-MSCommerceSubscriptionUser -TargetSubscriptionId $central.SubscriptionId

        Buys as many central Power BI Pro licenses as self-service users hold, then takes every self-service Power
        BI Pro subscription over into it (one confirmation each).

    .INPUTS
        System.String. Product IDs, by property name (ProductId).

    .OUTPUTS
        MSCommerce.Subscription. The new central subscription (PurchaseType Central, Status Active).
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High', DefaultParameterSetName = 'Product')]
    [OutputType('MSCommerce.Subscription')]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'Product', ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$ProductId,

        [Parameter(Mandatory, ParameterSetName = 'OfferType')]
        [ValidateSet('SaaS', 'POWERBIVISUALS', 'DYNAMICSCE', 'DYNAMICSBC')]
        [string]$OfferType,

        [Parameter(Mandatory)]
        [ValidateRange(1, 1000000)]
        [int]$Quantity,

        [Parameter()]
        [ValidateSet('Monthly', 'Annual')]
        [string]$BillingFrequency = 'Monthly',

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    }

    process {
        $body = @{ quantity = $Quantity; billingFrequency = $BillingFrequency }
        if ($PSCmdlet.ParameterSetName -eq 'OfferType') {
            $body['offerType'] = $OfferType
            $what = "offer type '$OfferType'"
        }
        else {
            $body['productId'] = $ProductId
            $what = "product '$ProductId'"
        }
        $target = "Central subscription of $what"
        $action = "Buy $Quantity licenses, billed $($BillingFrequency.ToLowerInvariant())"
        if (-not $PSCmdlet.ShouldProcess($target, $action)) {
            return
        }
        $splatRest = @{
            Method       = 'POST'
            Path         = '/v1.0/subscriptions'
            Body         = $body
            Token        = $Token
            ErrorContext = "Failed to buy a central subscription of $what"
            TargetObject = $(if ($OfferType) { $OfferType } else { $ProductId })
        }
        try {
            $bought = Invoke-MSCommerceRestMethod @splatRest
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
            return
        }
        ConvertTo-MSCommerceSubscription -InputObject $bought
    }
}
