function New-MSCommercePurchase {
    <#
    .SYNOPSIS
        Buys or tries a product as the signed-in user (a self-service purchase), if the policy allows it.

    .DESCRIPTION
        Calls POST /v1.0/me/subscriptions with {"productId" or "offerType", "acquisitionKind", "quantity",
        "billingFrequency"}. The service decides as Test-MSCommerceAcquisition shows: when the policy or the
        product does not allow it, nothing is bought and the error's ErrorId is the refusal code (for example
        PolicyDisabled). Price and currency come from the catalog, and the purchaser is emailed a confirmation.
        A purchase is billed, so PowerShell asks first (ConfirmImpact High); -WhatIf shows it and buys nothing.

    .PARAMETER ProductId
        The product, current or old ID. Binds from piped objects by property name.

    .PARAMETER OfferType
        A third-party offer type instead of a product: SaaS, POWERBIVISUALS, DYNAMICSCE or DYNAMICSBC.

    .PARAMETER AcquisitionKind
        Purchase (the default), TrialWithPaymentMethod or TrialWithoutPaymentMethod.

    .PARAMETER Quantity
        The number of licenses, 1 (the default) or more.

    .PARAMETER BillingFrequency
        Monthly (the default) or Annual.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        New-MSCommercePurchase -ProductId 'CFQ7TTC0HDB1' -AcquisitionKind TrialWithoutPaymentMethod

        Starts a free trial of Project Plan 1, if the organization allows it.

    .EXAMPLE
        Test-MSCommerceAcquisition -ProductId 'CFQ7TTC0H9MP' | Where-Object -Property Allowed | New-MSCommercePurchase -Quantity 2 -Confirm:$false

        Buys two Power BI Pro licenses only if the policy allows it (a decision binds by its ProductId).

    .INPUTS
        System.String. ProductId, by property name.

    .OUTPUTS
        MSCommerce.Subscription. The new self-service subscription.
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

        [Parameter(Position = 1)]
        [ValidateSet('Purchase', 'TrialWithPaymentMethod', 'TrialWithoutPaymentMethod')]
        [string]$AcquisitionKind = 'Purchase',

        [Parameter()]
        [ValidateRange(1, 1000000)]
        [int]$Quantity = 1,

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
        $body = @{ acquisitionKind = $AcquisitionKind; quantity = $Quantity; billingFrequency = $BillingFrequency }
        $target = $ProductId
        if ($PSCmdlet.ParameterSetName -eq 'OfferType') {
            $body['offerType'] = $OfferType
            $target = $OfferType
        }
        else {
            $body['productId'] = $ProductId
        }
        $action = "$AcquisitionKind of $Quantity licenses, billed $($BillingFrequency.ToLowerInvariant())"
        if (-not $PSCmdlet.ShouldProcess("Self-service subscription of '$target'", $action)) {
            return
        }
        $splatRest = @{
            Method       = 'POST'
            Path         = '/v1.0/me/subscriptions'
            Body         = $body
            Token        = $Token
            ErrorContext = "Failed to acquire '$target'"
            TargetObject = $target
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
