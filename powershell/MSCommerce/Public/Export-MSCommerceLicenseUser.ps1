function Export-MSCommerceLicenseUser {
    <#
    .SYNOPSIS
        Exports the users who hold licenses of chosen subscriptions to a CSV file.

    .DESCRIPTION
        Calls POST /v1.0/subscriptions/exportUsers and writes the CSV the service streams (columns displayName,
        userPrincipalName, productName, subscriptionId, purchaser, assignedAt) to -Path as it arrives, so even a
        very large export needs little memory. Subscription IDs can come from the pipeline (for example from
        Get-MSCommerceSubscription); without any, every self-service subscription is exported. Needs Global
        Administrator, Billing Administrator or Global Reader.

    .PARAMETER Path
        The CSV file to write.

    .PARAMETER SubscriptionId
        The subscriptions whose users to export (up to 1000); binds from the pipeline by property name.

    .PARAMETER Force
        Overwrites an existing file.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Export-MSCommerceLicenseUser -Path ./self-service-users.csv

        Exports the users of every self-service subscription.

    .EXAMPLE
        Get-MSCommerceSubscription -PurchaseType SelfService | Where-Object -Property ProductId -EQ 'CFQ7TTC0H9MP' | Export-MSCommerceLicenseUser -Path ./power-bi-users.csv

        Exports the users of the self-service Power BI Pro subscriptions.

    .INPUTS
        System.String. Subscription IDs, by property name (SubscriptionId).

    .OUTPUTS
        System.IO.FileInfo. The written file.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Low')]
    [OutputType([System.IO.FileInfo])]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$Path,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string[]]$SubscriptionId,

        [Parameter()]
        [switch]$Force,

        [Parameter()]
        [string]$Token
    )

    begin {
        $ids = [System.Collections.Generic.List[string]]::new()
    }

    process {
        foreach ($id in $SubscriptionId) {
            if (-not [string]::IsNullOrEmpty($id)) {
                $ids.Add($id)
            }
        }
    }

    end {
        $target = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($Path)
        if ((Test-Path -LiteralPath $target) -and -not $Force) {
            $splatError = @{
                Message      = "The file '$target' exists; use -Force to replace it."
                ErrorId      = 'FileExists'
                Category     = 'ResourceExists'
                TargetObject = $target
            }
            $PSCmdlet.WriteError((New-MSCommerceErrorRecord @splatError))
            return
        }
        $what = if ($ids.Count -gt 0) { "$($ids.Count) subscription(s)" } else { 'every self-service subscription' }
        if (-not $PSCmdlet.ShouldProcess($target, "Export the license users of $what")) {
            return
        }
        $body = @{}
        if ($ids.Count -gt 0) {
            $body['subscriptionIds'] = $ids.ToArray()
        }
        $splatRest = @{
            Method       = 'POST'
            Path         = '/v1.0/subscriptions/exportUsers'
            Body         = $body
            OutFile      = $target
            Token        = $Token
            ErrorContext = 'Failed to export license users'
        }
        try {
            Invoke-MSCommerceRestMethod @splatRest
            Get-Item -LiteralPath $target
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
        }
    }
}
