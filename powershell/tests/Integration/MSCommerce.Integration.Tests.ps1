# The module against the real service: 'mscommerce serve' on a free port with a new SQLite file. The binary is
# $env:MSCOMMERCE_BIN, else target/debug/mscommerce (build it with: cargo build -p mscommerce-server).

BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
    $script:service = Start-MSCommerceTestService
    # Commands given -Token without a connection go to $env:MSCOMMERCE_URI.
    $script:savedUri = $env:MSCOMMERCE_URI
    $env:MSCOMMERCE_URI = $service.Uri
    $password = ConvertTo-SecureString -String $service.AdminPassword -AsPlainText -Force
    $script:admin = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList $service.AdminUser, $password
    $script:policyId = 'AllowSelfServicePurchase'
    $script:powerBiPro = 'CFQ7TTC0H9MP'
}

AfterAll {
    # The service is stopped whatever fails before, so that a failure never leaves 'mscommerce serve' running.
    try {
        Disconnect-MSCommerce
        $env:MSCOMMERCE_URI = $script:savedUri
    }
    finally {
        if ($null -ne $script:service) {
            Stop-MSCommerceTestService -Service $script:service
        }
        Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
    }
}

Describe 'MSCommerce against mscommerce serve' -Tag 'Integration' {
    Context 'Before signing in' {
        It 'Should ask for Connect-MSCommerce' {
            Disconnect-MSCommerce
            { Get-MSCommercePolicies } | Should -Throw -ExpectedMessage 'You must call the Connect-MSCommerce cmdlet before calling any other cmdlets'
        }

        It 'Should refuse a token that is not a JWT with TokenMalformed' {
            { Get-MSCommercePolicies -Token 'not-a-jwt' } | Should -Throw -ErrorId 'TokenMalformed*'
        }

        It 'Should refuse a wrong password with "Unable to establish connection"' {
            $wrong = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList $service.AdminUser, (ConvertTo-SecureString -String 'wrong' -AsPlainText -Force)
            { Connect-MSCommerce -Uri $service.Uri -Credential $wrong } | Should -Throw -ExpectedMessage 'Unable to establish connection*'
        }
    }

    Context 'Walkthrough' {
        It 'Should connect as the Global Administrator' {
            $everything = @(Connect-MSCommerce -Uri $service.Uri -Credential $admin 6>&1)
            [string]$everything[0].MessageData | Should -Be 'Connection established successfully'
        }

        It 'Should list the policy' {
            $policies = @(Get-MSCommercePolicies)
            $policies.PolicyId | Should -Contain $policyId
            (Get-MSCommercePolicy -PolicyId $policyId).DefaultValue | Should -Be 'Enabled'
        }

        It 'Should list the products with their names' {
            $products = @(Get-MSCommerceProductPolicies -PolicyId $policyId)
            $products.Count | Should -BeGreaterThan 5
            ($products | Where-Object -Property ProductId -EQ $powerBiPro).ProductName | Should -Be 'Power BI Pro'
        }

        It 'Should disable Power BI Pro and read it back' {
            $updated = Update-MSCommerceProductPolicy -PolicyId $policyId -ProductId $powerBiPro -Value 'Disabled' 6>$null
            $updated.PolicyValue | Should -Be 'Disabled'
            (Get-MSCommerceProductPolicy -PolicyId $policyId -ProductId $powerBiPro).PolicyValue | Should -Be 'Disabled'
        }

        It 'Should match IDs case-insensitively and answer with the canonical spelling' {
            (Get-MSCommerceProductPolicy -PolicyId 'allowselfservicepurchase' -ProductId $powerBiPro.ToLowerInvariant()).ProductId | Should -BeExactly $powerBiPro
        }

        It 'Should accept the older -Enabled syntax' {
            (Update-MSCommerceProductPolicy -PolicyId $policyId -ProductId $powerBiPro -Enabled $true 6>$null).PolicyValue | Should -Be 'Enabled'
            (Update-MSCommerceProductPolicy -PolicyId $policyId -ProductId $powerBiPro -Enabled $false 6>$null).PolicyValue | Should -Be 'Disabled'
        }

        It 'Should show the change in the audit log' {
            $entries = @(Get-MSCommerceAuditLog -First 10)
            $entries.Count | Should -BeGreaterThan 0
            $latest = $entries[0]
            $latest.TargetId | Should -Be $powerBiPro
            $latest.NewValue | Should -Be 'Disabled'
            $latest.ActorName | Should -Be $service.AdminUser
            $latest.ChangedAt | Should -BeOfType [datetime]
        }

        It 'Should page through the audit log with a small -Top' {
            $all = @(Get-MSCommerceAuditLog)
            $paged = @(Get-MSCommerceAuditLog -Top 1)
            $paged.Count | Should -Be $all.Count
            @($paged | ForEach-Object -Process { $_.Id }) | Should -Be @($all | ForEach-Object -Process { $_.Id })
        }
    }

    Context 'Offer types' {
        It 'Should list the offer types' {
            $offerTypes = @(Get-MSCommerceProductPolicies -PolicyId $policyId -Scope 'OfferType')
            $offerTypes.ScopeId | Should -Contain 'SaaS'
            $offerTypes[0].PSObject.TypeNames | Should -Contain 'MSCommerce.OfferTypePolicy'
        }

        It 'Should disable and enable an offer type' {
            (Update-MSCommerceProductPolicy -PolicyId $policyId -OfferType 'SaaS' -Value 'Disabled' 6>$null).PolicyValue | Should -Be 'Disabled'
            (Get-MSCommerceProductPolicy -PolicyId $policyId -OfferType 'SaaS').PolicyValue | Should -Be 'Disabled'
            (Update-MSCommerceProductPolicy -PolicyId $policyId -OfferType 'SaaS' -Value 'Enabled' 6>$null).PolicyValue | Should -Be 'Enabled'
        }
    }

    Context 'Errors from the service' {
        It 'Should report an unknown product as ObjectNotFound with the service''s errorCode' {
            $null = Get-MSCommerceProductPolicy -PolicyId $policyId -ProductId 'CFQ7NOTAPRODUCT' -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures.Count | Should -Be 1
            $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'ProductNotFound*'
            $failures[0].Exception.Message | Should -BeLike "Failed to retrieve product policy with PolicyId '$policyId' ProductId 'CFQ7NOTAPRODUCT', ErrorMessage - * ErrorDetails - *ProductNotFound*"
        }

        It 'Should report a value the product does not allow as InvalidArgument' {
            $null = Update-MSCommerceProductPolicy -PolicyId $policyId -ProductId $powerBiPro -Value 'OnlyTrialsWithoutPaymentMethod' -ErrorVariable failures -ErrorAction SilentlyContinue 6>$null
            $failures[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'PolicyValueNotAllowed*'
        }

        It 'Should report an unknown scope with Microsoft''s "Invalid scope."' {
            $null = Get-MSCommerceProductPolicies -PolicyId $policyId -Scope 'Nonsense' -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'BadRequest*'
            $failures[0].Exception.Message | Should -BeLike '*Invalid scope.*'
        }

        It 'Should stop with ConnectionError when nothing listens' {
            try {
                Disconnect-MSCommerce
                $env:MSCOMMERCE_URI = 'http://127.0.0.1:9'
                $failure = $null
                try {
                    Get-MSCommercePolicies -Token 'x'
                }
                catch {
                    $failure = $_
                }
                $failure.CategoryInfo.Category | Should -Be 'ConnectionError'
            }
            finally {
                $env:MSCOMMERCE_URI = $service.Uri
                Connect-MSCommerce -Uri $service.Uri -Credential $admin 6>$null
            }
        }
    }

    Context 'Many products at once' {
        It 'Should disable every product with one pipeline' {
            $null = Get-MSCommerceProductPolicies -PolicyId $policyId | Update-MSCommerceProductPolicy -Value 'Disabled' 6>$null
            @(Get-MSCommerceProductPolicies -PolicyId $policyId | Where-Object -Property PolicyValue -NE 'Disabled').Count | Should -Be 0
        }

        It 'Should bring the products to a baseline and then find nothing left to change' {
            $changes = @(Set-MSCommerceProductPolicyBaseline -DefaultValue 'Enabled' -Exception @{ $powerBiPro = 'Disabled' })
            $changes.Count | Should -BeGreaterThan 0
            $changes.TargetId | Should -Not -Contain $powerBiPro
            (Get-MSCommerceProductPolicy -PolicyId $policyId -ProductId $powerBiPro).PolicyValue | Should -Be 'Disabled'
            @(Set-MSCommerceProductPolicyBaseline -DefaultValue 'Enabled' -Exception @{ $powerBiPro = 'Disabled' }).Count | Should -Be 0
        }

        It 'Should change nothing with -WhatIf' {
            $before = @(Get-MSCommerceAuditLog).Count
            Set-MSCommerceProductPolicyBaseline -DefaultValue 'Disabled' -IncludeOfferTypes -WhatIf
            @(Get-MSCommerceAuditLog).Count | Should -Be $before
        }
    }

    Context 'Application sign-in' {
        It 'Should sign an application in with -ClientId, -ClientSecret and -TenantId and change a product' {
            $tenantId = ((Invoke-MSCommerceTestCli -Service $service -ArgumentList @('tenant', 'list'))[0] -split "`t")[0]
            $splatCli = @{
                Service      = $service
                ArgumentList = @('app', 'create', '--tenant', $tenantId, '--name', 'Pester baseline', '--permission', 'Policy.ReadWrite.AllowSelfServicePurchase')
            }
            $created = Invoke-MSCommerceTestCli @splatCli
            $clientId = (($created | Where-Object -FilterScript { $_ -like 'client_id:*' }) -replace '^client_id:\s*', '').Trim()
            $clientSecret = (($created | Where-Object -FilterScript { $_ -like 'client_secret:*' }) -replace '^client_secret:\s*', '').Trim()
            $secret = ConvertTo-SecureString -String $clientSecret -AsPlainText -Force

            Connect-MSCommerce -Uri $service.Uri -ClientId $clientId -ClientSecret $secret -TenantId $tenantId 6>$null
            (Update-MSCommerceProductPolicy -PolicyId $policyId -ProductId $powerBiPro -Value 'Enabled' 6>$null).PolicyValue | Should -Be 'Enabled'
            (Get-MSCommerceAuditLog -First 1).ActorType | Should -Be 'App'
        }

        It 'Should refuse a wrong client secret with its own message' {
            $tenantId = ((Invoke-MSCommerceTestCli -Service $service -ArgumentList @('tenant', 'list'))[0] -split "`t")[0]
            $wrong = ConvertTo-SecureString -String 'not-the-secret' -AsPlainText -Force
            { Connect-MSCommerce -Uri $service.Uri -ClientId ([guid]::NewGuid().ToString()) -ClientSecret $wrong -TenantId $tenantId } |
                Should -Throw -ExpectedMessage 'Unable to establish connection*'
            Connect-MSCommerce -Uri $service.Uri -Credential $admin 6>$null
        }
    }

    Context 'Bring your own token' {
        It 'Should work with a token from the token endpoint given to -AccessToken and to -Token' {
            $form = @{ grant_type = 'password'; username = $service.AdminUser; password = $service.AdminPassword }
            $answer = Invoke-RestMethod -Method Post -Uri "$($service.Uri)/oauth2/v2.0/token" -Body $form -ContentType 'application/x-www-form-urlencoded' -UseBasicParsing
            (Get-MSCommercePolicy -PolicyId $policyId -Token $answer.access_token).PolicyId | Should -Be $policyId
            Connect-MSCommerce -Uri $service.Uri -AccessToken $answer.access_token 6>$null
            (Get-MSCommercePolicies).PolicyId | Should -Contain $policyId
        }

        It 'Should name the real cause of a 401 instead of "credentials have expired"' {
            $form = @{ grant_type = 'password'; username = $service.AdminUser; password = $service.AdminPassword }
            $answer = Invoke-RestMethod -Method Post -Uri "$($service.Uri)/oauth2/v2.0/token" -Body $form -ContentType 'application/x-www-form-urlencoded' -UseBasicParsing
            $parts = $answer.access_token.Split('.')
            $signature = $parts[2].ToCharArray()
            $signature[0] = if ($signature[0] -eq 'A') { 'B' } else { 'A' }
            $altered = '{0}.{1}.{2}' -f $parts[0], $parts[1], (-join $signature)
            $failure = $null
            try {
                Get-MSCommercePolicies -Token $altered
            }
            catch {
                $failure = $_
            }
            $failure.CategoryInfo.Category | Should -Be 'AuthenticationError'
            $failure.FullyQualifiedErrorId | Should -BeLike 'TokenInvalidSignature*'
            $failure.Exception.Message | Should -BeLike 'The access token signature does not verify*'
        }
    }

    Context 'Self-service subscriptions: see them, export them, take them over' {
        BeforeAll {
            Connect-MSCommerce -Uri $service.Uri -Credential $admin 6>$null
            $null = Update-MSCommerceProductPolicy -PolicyId $policyId -ProductId $powerBiPro -Value 'Enabled' 6>$null

            # Two purchasers and four members, created with the admin command line; members sign in with a password.
            $tenantId = Get-MSCommerceTestTenantId -Service $service
            $script:memberPassword = 'Pester-' + [guid]::NewGuid().ToString('N')
            $script:upn = @{}
            $script:userId = @{}
            foreach ($name in @('ann', 'ben', 'u0', 'u1', 'u2', 'u3')) {
                $upn[$name] = "$name@contoso.onmicrosoft.com"
                $splatUser = @{
                    Service           = $service
                    TenantId          = $tenantId
                    UserPrincipalName = $upn[$name]
                    DisplayName       = "Pester $name"
                    Password          = $memberPassword
                }
                $userId[$name] = New-MSCommerceTestUser @splatUser
            }

            # Ann buys 3 Power BI Pro licenses for u0 and u1; Ben buys 2 for u2 and u3 (what the module has no
            # command for: a user's own purchase and assignment).
            $script:selfService = @{}
            foreach ($purchase in @(@{ Name = 'ann'; Quantity = 3; Users = @('u0', 'u1') }, @{ Name = 'ben'; Quantity = 2; Users = @('u2', 'u3') })) {
                $memberToken = Get-MSCommerceTestToken -Service $service -UserName $upn[$purchase.Name] -Password $memberPassword
                $splatBuy = @{
                    Service = $service
                    Method  = 'POST'
                    Path    = '/v1.0/me/subscriptions'
                    Token   = $memberToken
                    Body    = @{ productId = $powerBiPro; acquisitionKind = 'Purchase'; quantity = $purchase.Quantity }
                }
                $bought = Invoke-MSCommerceTestApi @splatBuy
                $selfService[$purchase.Name] = [string]$bought.id
                $splatAssign = @{
                    Service = $service
                    Method  = 'POST'
                    Path    = "/v1.0/subscriptions/$($bought.id)/assignUsers"
                    Token   = $memberToken
                    Body    = @{ userIds = @($purchase.Users | ForEach-Object -Process { $userId[$_] }) }
                }
                $null = Invoke-MSCommerceTestApi @splatAssign
            }

            # The organization's own Power BI Pro subscriptions, bought by the Global Administrator.
            $script:central = (New-MSCommerceSubscription -ProductId $powerBiPro -Quantity 5 -Confirm:$false).SubscriptionId
            $script:smallCentral = (New-MSCommerceSubscription -ProductId $powerBiPro -Quantity 1 -Confirm:$false).SubscriptionId
        }

        It 'Should have bought the central subscriptions with New-MSCommerceSubscription' {
            $bought = Get-MSCommerceSubscription -SubscriptionId $central
            $bought.PurchaseType | Should -Be 'Central'
            $bought.Quantity | Should -Be 5
            $bought.Status | Should -Be 'Active'
            $bought.BillingFrequency | Should -Be 'Monthly'
            New-MSCommerceSubscription -ProductId $powerBiPro -Quantity 3 -WhatIf
            @(Get-MSCommerceSubscription -PurchaseType Central).Count | Should -Be 2
        }

        It 'Should list the self-service subscriptions with their purchasers' {
            $listed = @(Get-MSCommerceSubscription -PurchaseType SelfService)
            $listed.Count | Should -Be 2
            $listed[0].PSObject.TypeNames | Should -Contain 'MSCommerce.Subscription'
            @($listed | Where-Object -Property PurchaseType -NE 'SelfService').Count | Should -Be 0
            $ann = $listed | Where-Object -Property SubscriptionId -EQ $selfService['ann']
            $ann.Purchaser | Should -Be $upn['ann']
            $ann.ProductId | Should -Be $powerBiPro
            $ann.Quantity | Should -Be 3
            $ann.AssignedCount | Should -Be 2
            $ann.Status | Should -Be 'Active'
            $ann.UnitPrice | Should -BeOfType [decimal]
            $ann.TotalPrice | Should -Be ($ann.UnitPrice * 3)
            $ann.ExpiresAt | Should -BeGreaterThan ([datetime]::UtcNow)
        }

        It 'Should list the central subscriptions apart, and everything with -PurchaseType All' {
            $centralIds = @(Get-MSCommerceSubscription -PurchaseType Central | ForEach-Object -Process { $_.SubscriptionId })
            $centralIds | Should -Contain $central
            $centralIds | Should -Not -Contain $selfService['ann']
            @(Get-MSCommerceSubscription -PurchaseType All).Count | Should -Be 4
            @(Get-MSCommerceSubscription -First 3).Count | Should -Be 3
        }

        It 'Should read one subscription with the users who hold its licenses' {
            $ann = Get-MSCommerceSubscription -SubscriptionId $selfService['ann']
            @($ann.AssignedUsers | ForEach-Object -Process { $_.UserPrincipalName } | Sort-Object) | Should -Be @($upn['u0'], $upn['u1'])
            $ann.AssignedUsers[0].AssignedAt.Kind | Should -Be 'Utc'
        }

        It 'Should read every listed subscription again, with its users, through the pipeline' {
            $holders = @(Get-MSCommerceSubscription -PurchaseType SelfService | Get-MSCommerceSubscription | ForEach-Object -Process { $_.AssignedUsers })
            $holders.Count | Should -Be 4
        }

        It 'Should report an unknown subscription with the service''s errorCode' {
            $null = Get-MSCommerceSubscription -SubscriptionId ([guid]::NewGuid().ToString()) -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'SubscriptionNotFound*'
            $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'Should show Power BI Pro once, summed over both self-service subscriptions' {
            $licenses = @(Get-MSCommerceLicense | Where-Object -Property ProductId -EQ $powerBiPro)
            $licenses.Count | Should -Be 1
            $licenses[0].PSObject.TypeNames | Should -Contain 'MSCommerce.ProductLicense'
            $licenses[0].SubscriptionCount | Should -Be 2
            $licenses[0].AvailableQuantity | Should -Be 5
            $licenses[0].AssignedCount | Should -Be 4
        }

        It 'Should show who holds Power BI Pro licenses, by purchaser' {
            $holders = @(Get-MSCommerceLicense -ProductId $powerBiPro.ToLowerInvariant())
            $holders.Count | Should -Be 4
            $holders[0].PSObject.TypeNames | Should -Contain 'MSCommerce.LicenseHolder'
            @($holders | Group-Object -Property Purchaser).Count | Should -Be 2
            ($holders | Where-Object -Property UserPrincipalName -EQ $upn['u2']).Purchaser | Should -Be $upn['ben']
            ($holders | Where-Object -Property UserPrincipalName -EQ $upn['u0']).SubscriptionId | Should -Be $selfService['ann']
        }

        It 'Should export the Power BI Pro license holders to a CSV file' {
            $path = Join-Path -Path $TestDrive -ChildPath 'power-bi-pro.csv'
            $file = Get-MSCommerceLicense -ProductId $powerBiPro | Export-MSCommerceLicenseUser -Path $path
            $file.FullName | Should -Be $path
            $rows = @(Import-Csv -LiteralPath $path)
            $rows.Count | Should -Be 4
            @($rows | ForEach-Object -Process { $_.userPrincipalName } | Sort-Object) | Should -Be @($upn['u0'], $upn['u1'], $upn['u2'], $upn['u3'])
            ($rows | Where-Object -Property userPrincipalName -EQ $upn['u3']).purchaser | Should -Be $upn['ben']
            ($rows | Where-Object -Property userPrincipalName -EQ $upn['u3']).productName | Should -Be 'Power BI Pro'
        }

        It 'Should export the users of the chosen subscriptions only, and of every self-service one without a choice' {
            $annPath = Join-Path -Path $TestDrive -ChildPath 'ann.csv'
            $null = Get-MSCommerceSubscription -PurchaseType SelfService | Where-Object -Property Purchaser -EQ $upn['ann'] | Export-MSCommerceLicenseUser -Path $annPath
            @(Import-Csv -LiteralPath $annPath).Count | Should -Be 2

            $allPath = Join-Path -Path $TestDrive -ChildPath 'all.csv'
            $null = Export-MSCommerceLicenseUser -Path $allPath
            @(Import-Csv -LiteralPath $allPath).Count | Should -Be 4

            $nonePath = Join-Path -Path $TestDrive -ChildPath 'none.csv'
            $null = Get-MSCommerceSubscription -PurchaseType SelfService | Where-Object -Property Purchaser -EQ 'nobody@contoso.onmicrosoft.com' |
                Export-MSCommerceLicenseUser -Path $nonePath -WarningAction SilentlyContinue
            $nonePath | Should -Not -Exist
        }

        It 'Should move nothing with -WhatIf' {
            Move-MSCommerceSubscriptionUser -SubscriptionId $selfService['ann'] -TargetSubscriptionId $central -WhatIf
            (Get-MSCommerceSubscription -SubscriptionId $selfService['ann']).Status | Should -Be 'Active'
            (Get-MSCommerceSubscription -SubscriptionId $central).AssignedCount | Should -Be 0
        }

        It 'Should move nothing, and say NotEnoughLicenses, when the central subscription is too small' {
            $result = Move-MSCommerceSubscriptionUser -SubscriptionId $selfService['ben'] -TargetSubscriptionId $smallCentral -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
            $result | Should -BeNullOrEmpty
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'NotEnoughLicenses*'
            $failures[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            $failures[0].TargetObject | Should -Be $selfService['ben']
            (Get-MSCommerceSubscription -SubscriptionId $selfService['ben']).AssignedCount | Should -Be 2
            (Get-MSCommerceSubscription -SubscriptionId $smallCentral).AssignedCount | Should -Be 0
        }

        It 'Should move the users of Ann''s subscription to the central one' {
            $moved = @(Get-MSCommerceSubscription -PurchaseType SelfService |
                    Where-Object -Property Purchaser -EQ $upn['ann'] |
                    Move-MSCommerceSubscriptionUser -TargetSubscriptionId $central -Confirm:$false)
            $moved.Count | Should -Be 1
            $moved[0].PSObject.TypeNames | Should -Contain 'MSCommerce.MoveResult'
            $moved[0].Status | Should -Be 'Move completed'
            $moved[0].MovedUsers | Should -Be 2
            $moved[0].SubscriptionId | Should -Be $selfService['ann']
            $moved[0].SourceStatus | Should -Be 'Deleted'
            $moved[0].TargetSubscriptionId | Should -Be $central
            $moved[0].TargetAssignedCount | Should -Be 2

            $target = Get-MSCommerceSubscription -SubscriptionId $central
            @($target.AssignedUsers | ForEach-Object -Process { $_.UserPrincipalName } | Sort-Object) | Should -Be @($upn['u0'], $upn['u1'])
            $source = Get-MSCommerceSubscription -SubscriptionId $selfService['ann']
            $source.Status | Should -Be 'Deleted'
            $source.CancellationReason | Should -Be 'MovingToCentralLicenses'
        }

        It 'Should refuse to move a subscription already taken over (SubscriptionNotActive)' {
            $null = Move-MSCommerceSubscriptionUser -SubscriptionId $selfService['ann'] -TargetSubscriptionId $central -Force -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'SubscriptionNotActive*'
        }

        It 'Should cancel nothing with -WhatIf, nor with the reason Other and no comment' {
            Stop-MSCommerceSubscription -SubscriptionId $selfService['ben'] -Reason NoLongerNeeded -WhatIf
            { Stop-MSCommerceSubscription -SubscriptionId $selfService['ben'] -Reason Other -Confirm:$false } | Should -Throw -ErrorId 'CommentRequired*'
            (Get-MSCommerceSubscription -SubscriptionId $selfService['ben']).Status | Should -Be 'Active'
        }

        It 'Should refuse to cancel a central subscription (NotSelfService)' {
            $null = Stop-MSCommerceSubscription -SubscriptionId $central -Reason NoLongerNeeded -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'NotSelfService*'
            (Get-MSCommerceSubscription -SubscriptionId $central).Status | Should -Be 'Active'
        }

        It 'Should cancel nothing when the subscription is not as it was read (PreconditionFailed)' {
            $read = Get-MSCommerceSubscription -SubscriptionId $selfService['ben']
            $read.ETag = '"' + ([int]$read.ETag.Trim('"', 'W', '/') + 1) + '"'
            $null = $read | Stop-MSCommerceSubscription -Reason NoLongerNeeded -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'PreconditionFailed*'
            $failures[0].TargetObject | Should -Be $selfService['ben']
            (Get-MSCommerceSubscription -SubscriptionId $selfService['ben']).Status | Should -Be 'Active'
        }

        It 'Should cancel Ben''s subscription: its users lose their licenses' {
            $cancelled = Get-MSCommerceSubscription -SubscriptionId $selfService['ben'] |
                Stop-MSCommerceSubscription -Reason NotApprovedByOrganization -Comment 'Pester: not approved' -Confirm:$false
            $cancelled.PSObject.TypeNames | Should -Contain 'MSCommerce.Subscription'
            $cancelled.SubscriptionId | Should -Be $selfService['ben']
            $cancelled.Status | Should -Be 'Deleted'
            $cancelled.CancellationReason | Should -Be 'NotApprovedByOrganization'
            $cancelled.CancelledAt | Should -BeOfType [datetime]
            @(Get-MSCommerceLicense -ProductId $powerBiPro).Count | Should -Be 0
            @(Get-MSCommerceSubscription -PurchaseType SelfService | Where-Object -Property Status -EQ 'Active').Count | Should -Be 0
        }

        It 'Should show the purchases, the move and the cancellation in the audit log of every event' {
            $events = @(Get-MSCommerceAuditLog -AllEvents)
            $events[0].PSObject.TypeNames | Should -Contain 'MSCommerce.AuditEvent'
            $events[0].OccurredAt | Should -BeOfType [datetime]
            $actions = @($events | ForEach-Object -Process { $_.Action })
            foreach ($action in @('PolicyValueChanged', 'UserCreated', 'SubscriptionCreated', 'LicensesAssigned', 'UsersMoved', 'SubscriptionCancelled')) {
                $actions | Should -Contain $action
            }
            ($events | Where-Object -Property Action -EQ 'UsersMoved' | Select-Object -First 1).ActorName | Should -Be $service.AdminUser
            $paged = @(Get-MSCommerceAuditLog -AllEvents -Top 2 -First 5)
            $paged.Count | Should -Be 5
            @($paged | ForEach-Object -Process { $_.Id }) | Should -Be @($events[0..4] | ForEach-Object -Process { $_.Id })
        }

        It 'Should still read only policy changes without -AllEvents' {
            $changes = @(Get-MSCommerceAuditLog)
            $changes.Count | Should -BeGreaterThan 0
            @($changes | Where-Object -FilterScript { $_.PSObject.TypeNames -notcontains 'MSCommerce.AuditEntry' }).Count | Should -Be 0
            @($changes | Where-Object -FilterScript { [string]::IsNullOrEmpty($_.PolicyId) }).Count | Should -Be 0
        }
    }
    Context 'Every REST capability: users, domains, decisions, licenses, quantities, purchases' {
        BeforeAll {
            Connect-MSCommerce -Uri $service.Uri -Credential $admin 6>$null
            $null = Update-MSCommerceProductPolicy -PolicyId $policyId -ProductId $powerBiPro -Value 'Enabled' 6>$null
            $script:buyerPassword = 'Pester-' + [guid]::NewGuid().ToString('N')
            $splatBuyer = @{
                Service           = $service
                TenantId          = (Get-MSCommerceTestTenantId -Service $service)
                UserPrincipalName = 'carol@contoso.onmicrosoft.com'
                DisplayName       = 'Pester carol'
                Password          = $buyerPassword
            }
            $script:buyerId = New-MSCommerceTestUser @splatBuyer
            $script:buyerToken = Get-MSCommerceTestToken -Service $service -UserName 'carol@contoso.onmicrosoft.com' -Password $buyerPassword
            $script:team = (New-MSCommerceSubscription -ProductId $powerBiPro -Quantity 2 -Confirm:$false).SubscriptionId
        }

        It 'Should list the domains and add one, then refuse it a second time (DomainInUse)' {
            $initial = @(Get-MSCommerceDomain)[0]
            $initial.IsInitial | Should -BeTrue
            $added = New-MSCommerceDomain -DomainId 'pester.example.com' -Confirm:$false
            $added.DomainId | Should -Be 'pester.example.com'
            $added.IsVerified | Should -BeTrue
            (Get-MSCommerceDomain -DomainId 'PESTER.example.com').DomainId | Should -Be 'pester.example.com'
            $null = New-MSCommerceDomain -DomainId 'pester.example.com' -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'DomainInUse*'
        }

        It 'Should create a user in the new domain, read it, disable it and enable it again' {
            $created = New-MSCommerceUser -UserPrincipalName 'dave@pester.example.com' -DisplayName 'Pester dave' -Confirm:$false
            $created.PSObject.TypeNames | Should -Contain 'MSCommerce.User'
            $created.InitialPassword | Should -Not -BeNullOrEmpty
            $script:daveId = $created.UserId
            (Get-MSCommerceUser -UserId $daveId).UserPrincipalName | Should -Be 'dave@pester.example.com'
            @(Get-MSCommerceUser | Where-Object -Property UserId -EQ $daveId).Count | Should -Be 1
            (Get-MSCommerceUser -UserId $daveId | Set-MSCommerceUser -AccountEnabled $false -Confirm:$false).AccountEnabled | Should -BeFalse
            (Set-MSCommerceUser -UserId $daveId -AccountEnabled $true -DisplayName 'Pester Dave' -Confirm:$false).DisplayName | Should -Be 'Pester Dave'
            $null = New-MSCommerceUser -UserPrincipalName 'eve@elsewhere.example' -DisplayName 'Eve' -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'UpnDomainNotInTenant*'
        }

        It 'Should decide for another user, and follow the policy' {
            $allowed = Get-MSCommerceUser -UserId $buyerId | Test-MSCommerceAcquisition -ProductId $powerBiPro
            $allowed.Allowed | Should -BeTrue
            $allowed.UserId | Should -Be $buyerId
            $null = Update-MSCommerceProductPolicy -PolicyId $policyId -ProductId $powerBiPro -Value 'Disabled' 6>$null
            $refused = Test-MSCommerceAcquisition -ProductId $powerBiPro -UserId $buyerId
            $refused.Allowed | Should -BeFalse
            $refused.RefusalCode | Should -Not -BeNullOrEmpty
            $null = Update-MSCommerceProductPolicy -PolicyId $policyId -ProductId $powerBiPro -Value 'Enabled' 6>$null
        }

        It 'Should assign and unassign licenses of a central subscription' {
            $assigned = Add-MSCommerceSubscriptionUser -SubscriptionId $team -UserId $buyerId, $daveId -Confirm:$false
            $assigned.AssignedCount | Should -Be 2
            $null = Add-MSCommerceSubscriptionUser -SubscriptionId $team -UserId $buyerId -WhatIf
            $removed = Get-MSCommerceSubscription -SubscriptionId $team | Remove-MSCommerceSubscriptionUser -UserId $daveId -Confirm:$false
            $removed.AssignedCount | Should -Be 1
            @($removed.AssignedUsers | ForEach-Object -Process { $_.UserId }) | Should -Be @($buyerId)
        }

        It 'Should change the quantity and the recurring billing, never below what is assigned' {
            (Set-MSCommerceSubscription -SubscriptionId $team -Quantity 4 -Confirm:$false).Quantity | Should -Be 4
            (Get-MSCommerceSubscription -SubscriptionId $team | Set-MSCommerceSubscription -AutoRenew $false -Confirm:$false).AutoRenew | Should -BeFalse
            Set-MSCommerceSubscription -SubscriptionId $team -Quantity 9 -WhatIf
            (Get-MSCommerceSubscription -SubscriptionId $team).Quantity | Should -Be 4
            $null = Add-MSCommerceSubscriptionUser -SubscriptionId $team -UserId $daveId -Confirm:$false
            $null = Set-MSCommerceSubscription -SubscriptionId $team -Quantity 1 -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures.Count | Should -Be 1
            (Get-MSCommerceSubscription -SubscriptionId $team).Quantity | Should -Be 4
        }

        It 'Should let a member buy, list and cancel their own purchase with -Token' {
            $bought = New-MSCommercePurchase -ProductId $powerBiPro -Quantity 2 -Token $buyerToken -Confirm:$false
            $bought.PurchaseType | Should -Be 'SelfService'
            @(Get-MSCommercePurchase -Token $buyerToken | ForEach-Object -Process { $_.SubscriptionId }) | Should -Contain $bought.SubscriptionId
            $cancelled = $bought | Disable-MSCommerceSubscription -Reason PurchasedByMistake -Token $buyerToken -Confirm:$false
            $cancelled.Status | Should -Be 'Disabled'
            $cancelled.CancellationReason | Should -Be 'PurchasedByMistake'
        }

        It 'Should apply a baseline in one transaction: one correlation id for all its changes' {
            $changes = @(Set-MSCommerceProductPolicyBaseline -DefaultValue 'Disabled' -Exception @{ $powerBiPro = 'Enabled' } -IncludeOfferTypes)
            $changes.Count | Should -BeGreaterThan 2
            $changes.TargetId | Should -Not -Contain $powerBiPro
            $entries = @(Get-MSCommerceAuditLog -First $changes.Count)
            @($entries | ForEach-Object -Process { $_.CorrelationId } | Sort-Object -Unique).Count | Should -Be 1
            @($entries | ForEach-Object -Process { $_.TargetId } | Sort-Object) | Should -Be @($changes | ForEach-Object -Process { $_.TargetId } | Sort-Object)
            @(Get-MSCommerceProductPolicies -PolicyId $policyId | Where-Object -FilterScript { $_.ProductId -ne $powerBiPro -and $_.PolicyValue -ne 'Disabled' }).Count | Should -Be 0
        }

        It 'Should change nothing at all when one entry of a baseline is refused' {
            $before = @(Get-MSCommerceAuditLog).Count
            # Power BI Pro has no trials without a payment method: the service refuses that entry, and with it all.
            { Set-MSCommerceProductPolicyBaseline -DefaultValue 'Enabled' -Exception @{ $powerBiPro = 'OnlyTrialsWithoutPaymentMethod' } } | Should -Throw -ErrorId 'InvalidPolicyValues*'
            @(Get-MSCommerceAuditLog).Count | Should -Be $before
            @(Get-MSCommerceProductPolicies -PolicyId $policyId | Where-Object -Property PolicyValue -EQ 'Enabled').ProductId | Should -Be @($powerBiPro)
        }
    }

    Context 'License requests: ask, share, approve, deny, the organization''s own process' {
        BeforeAll {
            Connect-MSCommerce -Uri $service.Uri -Credential $admin 6>$null
            $script:visio = 'CFQ7TTC0HD32'
            $script:powerApps = 'CFQ7TTC0LH2H'
            # Visio Plan 2 and Power BI Pro may not be bought by users; Power Apps per user may.
            $null = Update-MSCommerceProductPolicy -PolicyId $policyId -ProductId $visio -Value 'Disabled' 6>$null
            $null = Update-MSCommerceProductPolicy -PolicyId $policyId -ProductId $powerBiPro -Value 'Disabled' 6>$null
            $null = Update-MSCommerceProductPolicy -PolicyId $policyId -ProductId $powerApps -Value 'Enabled' 6>$null

            # Lia asks, for herself and Max.
            $tenantId = Get-MSCommerceTestTenantId -Service $service
            $script:askerPassword = 'Pester-' + [guid]::NewGuid().ToString('N')
            $script:askerId = @{}
            foreach ($name in @('lia', 'max')) {
                $splatUser = @{
                    Service           = $service
                    TenantId          = $tenantId
                    UserPrincipalName = "$name@contoso.onmicrosoft.com"
                    DisplayName       = "Pester $name"
                    Password          = $askerPassword
                }
                $askerId[$name] = New-MSCommerceTestUser @splatUser
            }
            $script:liaToken = Get-MSCommerceTestToken -Service $service -UserName 'lia@contoso.onmicrosoft.com' -Password $askerPassword
            $script:adminId = (Get-MSCommerceUser | Where-Object -Property UserPrincipalName -EQ $service.AdminUser).UserId

            # The organization's own Visio Plan 2 subscription, one license: too small for two users at first.
            $script:visioCentral = (New-MSCommerceSubscription -ProductId $visio -Quantity 1 -Confirm:$false).SubscriptionId
        }

        It 'Should take requests here by default, as any signed-in user reads' {
            $settings = Get-MSCommerceLicenseRequestSetting -Token $liaToken
            $settings.PSObject.TypeNames | Should -Contain 'MSCommerce.LicenseRequestSetting'
            $settings.UseOrganizationProcess | Should -BeFalse
        }

        It 'Should send nothing with -WhatIf, then ask for Visio Plan 2 for Lia and Max' {
            (Test-MSCommerceAcquisition -ProductId $visio -Token $liaToken).LicenseRequestPossible | Should -BeTrue
            (Test-MSCommerceAcquisition -ProductId $powerApps -Token $liaToken).LicenseRequestPossible | Should -BeFalse
            New-MSCommerceLicenseRequest -ProductId $visio -UserId $askerId['max'] -Token $liaToken -WhatIf
            @(Get-MSCommerceLicenseRequest -Mine -Token $liaToken).Count | Should -Be 0
            $splatAsk = @{
                ProductId = $visio
                UserId    = $askerId['max']
                Message   = 'We draw the floor plans.'
                Token     = $liaToken
                Confirm   = $false
            }
            $script:visioRequest = New-MSCommerceLicenseRequest @splatAsk
            $visioRequest.PSObject.TypeNames | Should -Contain 'MSCommerce.LicenseRequest'
            $visioRequest.Status | Should -Be 'Pending'
            $visioRequest.ProductId | Should -Be $visio
            $visioRequest.Requester | Should -Be 'lia@contoso.onmicrosoft.com'
            $visioRequest.Message | Should -Be 'We draw the floor plans.'
            $visioRequest.CreatedAt.Kind | Should -Be 'Utc'
            @($visioRequest.Users | ForEach-Object -Process { $_.UserId } | Sort-Object) | Should -Be @(@($askerId['lia'], $askerId['max']) | Sort-Object)
            @($visioRequest.Users | Where-Object -Property Outcome -NE 'Pending').Count | Should -Be 0
        }

        It 'Should refuse a second open request, a product the policy allows, and an unknown product, each with its errorCode' {
            $cases = @(
                @{ ProductId = $visio; ErrorId = 'LicenseRequestExists' }
                @{ ProductId = $powerApps; ErrorId = 'LicenseRequestNotNeeded' }
                @{ ProductId = 'CFQ7TTC0XXXX'; ErrorId = 'ProductNotFound' }
            )
            foreach ($case in $cases) {
                $null = New-MSCommerceLicenseRequest -ProductId $case.ProductId -Token $liaToken -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
                $failures.Count | Should -Be 1 -Because $case.ErrorId
                $failures[0].FullyQualifiedErrorId | Should -BeLike "$($case.ErrorId)*"
            }
        }

        It 'Should list the request as pending for the administrator, and as her own for Lia' {
            @(Get-MSCommerceLicenseRequest -Status Pending | ForEach-Object -Process { $_.RequestId }) | Should -Contain $visioRequest.RequestId
            @(Get-MSCommerceLicenseRequest -Status Completed | ForEach-Object -Process { $_.RequestId }) | Should -Not -Contain $visioRequest.RequestId
            @(Get-MSCommerceLicenseRequest -Mine -Token $liaToken | ForEach-Object -Process { $_.RequestId }) | Should -Be @($visioRequest.RequestId)
            ($visioRequest | Get-MSCommerceLicenseRequest).Users.Count | Should -Be 2
        }

        It 'Should share the request with the administrator by email' {
            $shared = $visioRequest | Send-MSCommerceLicenseRequest -UserId $adminId -Message 'Your budget?' -Confirm:$false
            $shared.PSObject.TypeNames | Should -Contain 'MSCommerce.LicenseRequestShare'
            $shared.Shared | Should -Be 1
        }

        It 'Should approve nothing with -WhatIf, nor when the central subscription is too small (NotEnoughLicenses)' {
            $visioRequest | Approve-MSCommerceLicenseRequest -SubscriptionId $visioCentral -WhatIf
            $null = $visioRequest | Approve-MSCommerceLicenseRequest -SubscriptionId $visioCentral -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures.Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'NotEnoughLicenses*'
            $failures[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
            (Get-MSCommerceLicenseRequest -RequestId $visioRequest.RequestId).Status | Should -Be 'Pending'
            (Get-MSCommerceSubscription -SubscriptionId $visioCentral).AssignedCount | Should -Be 0
        }

        It 'Should approve the request from the central subscription once it is large enough' {
            $null = Set-MSCommerceSubscription -SubscriptionId $visioCentral -Quantity 3 -Confirm:$false
            $approved = Get-MSCommerceLicenseRequest -Status Pending |
                Where-Object -Property ProductId -EQ $visio |
                Approve-MSCommerceLicenseRequest -SubscriptionId $visioCentral -Message 'Enjoy.' -Confirm:$false
            $approved.Status | Should -Be 'Approved'
            $approved.SubscriptionId | Should -Be $visioCentral
            $approved.AnswerMessage | Should -Be 'Enjoy.'
            $approved.AnsweredBy | Should -Be $service.AdminUser
            $approved.AnsweredAt.Kind | Should -Be 'Utc'
            @($approved.Users | Where-Object -Property Outcome -EQ 'Approved').Count | Should -Be 2
            $holders = @((Get-MSCommerceSubscription -SubscriptionId $visioCentral).AssignedUsers | ForEach-Object -Process { $_.UserId })
            $holders | Should -Contain $askerId['lia']
            $holders | Should -Contain $askerId['max']
            @(Get-MSCommerceLicenseRequest -Status Completed | ForEach-Object -Process { $_.RequestId }) | Should -Contain $visioRequest.RequestId
        }

        It 'Should refuse to answer a request twice (LicenseRequestAnswered)' {
            $null = $visioRequest | Deny-MSCommerceLicenseRequest -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'LicenseRequestAnswered*'
            (Get-MSCommerceLicenseRequest -RequestId $visioRequest.RequestId).Status | Should -Be 'Approved'
        }

        It 'Should deny a request with a message to its user' {
            $asked = New-MSCommerceLicenseRequest -ProductId $powerBiPro -Token $liaToken -Confirm:$false
            $denied = $asked | Deny-MSCommerceLicenseRequest -Message 'Use the shared workspace.' -Confirm:$false
            $denied.Status | Should -Be 'Denied'
            $denied.AnswerMessage | Should -Be 'Use the shared workspace.'
            @($denied.Users | ForEach-Object -Process { $_.Outcome }) | Should -Be @('Denied')
            (Get-MSCommerceLicenseRequest -Mine -Token $liaToken | Where-Object -Property RequestId -EQ $asked.RequestId).Status | Should -Be 'Denied'
        }

        It 'Should send users to the organization''s own process, then take requests here again keeping the message' {
            $splatOwn = @{
                UseOrganizationProcess = $true
                Message                = 'Ask the service desk.'
                Link                   = 'https://servicedesk.contoso.com/software'
                Confirm                = $false
            }
            (Set-MSCommerceLicenseRequestSetting @splatOwn).UseOrganizationProcess | Should -BeTrue
            $null = New-MSCommerceLicenseRequest -ProductId $powerBiPro -Token $liaToken -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'OrganizationRequestProcess*'
            Set-MSCommerceLicenseRequestSetting -UseOrganizationProcess $false -WhatIf
            (Get-MSCommerceLicenseRequestSetting).UseOrganizationProcess | Should -BeTrue
            $back = Set-MSCommerceLicenseRequestSetting -UseOrganizationProcess $false -Confirm:$false
            $back.UseOrganizationProcess | Should -BeFalse
            $back.Message | Should -Be 'Ask the service desk.'
            (Get-MSCommerceLicenseRequestSetting -Token $liaToken).Link | Should -Be 'https://servicedesk.contoso.com/software'
        }
    }
}
